/**
 * @module Rate limits: a small port (`RateLimiter.take(key)`) and an in-process adapter. The adapter
 * keeps its counts in this process, so with N replicas behind a balancer a client gets up to N times
 * the limit; that is enough to turn "thousands of guesses a second" into "a few a second" per
 * replica, which is the job here. A shared store (Redis) is the adapter to add when the limit
 * itself must be exact across replicas. `takeOrThrow` raises the kit's `RateLimited`, which the
 * HTTP kit answers with 429 and `Retry-After`.
 */
import { RateLimited } from '../errors/index.ts';

export interface RateLimitRule {
  /** Requests allowed in a burst, and per `windowS` on average. */
  limit: number;
  windowS: number;
}

export type Taken = { ok: true } | { ok: false; retryAfterS: number };

export interface RateLimiter {
  take(key: string): Promise<Taken>;
}

export interface InProcessOptions {
  /** Keys remembered at most; past it the oldest are forgotten (a flood of distinct keys must not grow memory). */
  maxKeys?: number;
  now?: () => number;
}

/**
 * GCRA (a token bucket kept as one timestamp per key): each request moves the key's "theoretical
 * arrival time" on by windowS/limit; a request that would push it more than one window ahead is
 * refused. Smooth (no burst at each window edge) and O(1) memory per key.
 */
export function inProcessRateLimiter({ limit, windowS }: RateLimitRule, { maxKeys = 100_000, now = Date.now }: InProcessOptions = {}): RateLimiter {
  if (!(limit >= 1) || !(windowS > 0)) throw new Error(`a rate limit needs limit >= 1 and windowS > 0 (got ${limit} per ${windowS} s)`);
  const windowMs = windowS * 1000;
  const interval = windowMs / limit;
  const arrivals = new Map<string, number>();
  return {
    async take(key) {
      const at = now();
      const tat = Math.max(arrivals.get(key) ?? at, at) + interval;
      if (tat - at > windowMs) return { ok: false, retryAfterS: (tat - windowMs - at) / 1000 };
      arrivals.delete(key); // re-inserted last, so the Map's order is least recently used first
      arrivals.set(key, tat);
      if (arrivals.size > maxKeys) arrivals.delete(arrivals.keys().next().value!);
      return { ok: true };
    },
  };
}

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
