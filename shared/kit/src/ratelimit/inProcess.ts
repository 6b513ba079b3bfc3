/**
 * @module The in-process adapter. Its counts live in this process, so with N replicas behind a
 * balancer a client gets up to N times the limit: enough to turn thousands of guesses a second into
 * a few per replica. `redis.ts` is the adapter for a limit that must hold across replicas.
 */
import type { RateLimitRule, RateLimiter } from './port.ts';

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
