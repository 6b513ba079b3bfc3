/** @module The rate limiter port: take one from a key's allowance, or learn how long to wait. */

export interface RateLimitRule {
  /** Requests allowed in a burst, and per `windowS` on average. */
  limit: number;
  windowS: number;
}

export type Taken = { ok: true } | { ok: false; retryAfterS: number };

export interface RateLimiter {
  take(key: string): Promise<Taken>;
}
