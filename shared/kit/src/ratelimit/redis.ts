/**
 * @module The rate limiter on Redis (any `Cache` adapter: both speak EVAL): the same GCRA as the
 * in-process adapter, one key per limited thing, so every replica shares one count. Time is
 * Redis's own (`TIME`), so replicas with skewed clocks agree. If Redis is away the request is let
 * through: a limit is a brake on abuse, and the service must not go down with its cache.
 */
import type { Cache } from '../cache/port.ts';
import type { Logger } from '../log/index.ts';
import type { RateLimitRule, RateLimiter } from './port.ts';

// Returns -1 when allowed, else the milliseconds until one more request fits.
const GCRA = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local interval = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
local tat = tonumber(redis.call('GET', KEYS[1]) or now)
if tat < now then tat = now end
tat = tat + interval
if tat - now > window then return math.ceil(tat - window - now) end
redis.call('SET', KEYS[1], tostring(tat), 'PX', math.ceil(tat - now))
return -1
`;

export interface RedisRateLimiterOptions {
  /** Prepended to every key: one namespace per limit (`ratelimit:token:client:`). */
  prefix: string;
  logger?: Logger;
}

export function redisRateLimiter(cache: Cache, { limit, windowS }: RateLimitRule, { prefix, logger }: RedisRateLimiterOptions): RateLimiter {
  if (!(limit >= 1) || !(windowS > 0)) throw new Error(`a rate limit needs limit >= 1 and windowS > 0 (got ${limit} per ${windowS} s)`);
  const windowMs = windowS * 1000;
  const args = [String(windowMs / limit), String(windowMs)];
  return {
    async take(key) {
      try {
        const waitMs = Number(await cache.eval(GCRA, [`${prefix}${key}`], args));
        return waitMs < 0 ? { ok: true } : { ok: false, retryAfterS: waitMs / 1000 };
      } catch (err) {
        logger?.warn('rate limiter unavailable: request let through', { prefix, err });
        return { ok: true };
      }
    },
  };
}
