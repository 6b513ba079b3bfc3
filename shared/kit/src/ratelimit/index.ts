/**
 * @module Rate limits: a small port (`RateLimiter.take(key)`), an in-process adapter (what the Auth
 * Service uses: per-process counts, see `inProcess.ts` for why that is enough) and a Redis one for a
 * limit shared by replicas. `takeOrThrow` raises the kit's `RateLimited`, which the HTTP kit
 * answers with 429 and `Retry-After`.
 */
import { RateLimited } from '../errors/index.ts';
import type { RateLimiter } from './port.ts';

export * from './port.ts';
export * from './inProcess.ts';
export * from './redis.ts';

/** Takes one from each `[limiter, key]` pair in order; the first refusal throws `RateLimited`. */
export async function takeOrThrow(what: string, ...checks: [RateLimiter, string][]): Promise<void> {
  for (const [limiter, key] of checks) {
    const taken = await limiter.take(key);
    if (!taken.ok) throw new RateLimited(taken.retryAfterS, `Too many ${what}; retry in ${Math.max(1, Math.ceil(taken.retryAfterS))} s`);
  }
}

interface RequestIpSource {
  requestIP(request: Request): { address: string } | null;
}

/**
 * Who sent the request, for limits: the socket's address. `X-Forwarded-For` is anyone's to write,
 * so it counts only with `trustProxy` (TRUST_PROXY=1: exactly one proxy of ours in front), and then
 * only its last entry, the one that proxy appended; earlier entries are the client's own claims.
 */
export function clientAddress(request: Request, server: RequestIpSource | null | undefined, trustProxy: boolean): string {
  if (trustProxy) {
    const forwarded = request.headers.get('x-forwarded-for')?.split(',').map((s) => s.trim()).filter(Boolean).at(-1);
    if (forwarded) return forwarded;
  }
  return server?.requestIP(request)?.address ?? 'unknown';
}

/** `TRUST_PROXY=1` (or `true`). */
export const trustProxyFromEnv = (source: Record<string, string | undefined> = process.env) => source.TRUST_PROXY === '1' || source.TRUST_PROXY === 'true';
