/** The Redis rate limiter against the real Redis: one count shared by replicas, and open when Redis is away. */
import { afterAll, describe, expect, test } from 'bun:test';
import { createRedisCache } from '../cache/redis.ts';
import { redisRateLimiter } from './redis.ts';

const cache = createRedisCache({ url: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379' });
afterAll(() => cache.close());
const prefix = () => `ratelimit-test:${crypto.randomUUID()}:`;

describe('redis rate limiter', () => {
  test('two replicas share one count; another key is unaffected', async () => {
    const rule = { limit: 4, windowS: 60 };
    const p = prefix();
    const a = redisRateLimiter(cache, rule, { prefix: p });
    const b = redisRateLimiter(cache, rule, { prefix: p });
    for (const limiter of [a, b, a, b]) expect(await limiter.take('client')).toEqual({ ok: true });
    const refused = await a.take('client');
    expect(refused.ok).toBe(false);
    if (!refused.ok) expect(refused.retryAfterS).toBeGreaterThan(14);
    expect((await b.take('client')).ok).toBe(false);
    expect((await a.take('other')).ok).toBe(true);
  });

  test('one comes back after its interval; the key expires with its window', async () => {
    const p = prefix();
    const limiter = redisRateLimiter(cache, { limit: 2, windowS: 0.4 }, { prefix: p });
    expect((await limiter.take('k')).ok).toBe(true);
    expect((await limiter.take('k')).ok).toBe(true);
    expect((await limiter.take('k')).ok).toBe(false);
    await Bun.sleep(250);
    expect((await limiter.take('k')).ok).toBe(true);
    await Bun.sleep(500);
    expect(await cache.get(`${p}k`)).toBeNull();
  });

  test('Redis away: requests are let through', async () => {
    const gone = createRedisCache({ url: 'redis://127.0.0.1:1', timeoutMs: 100 });
    try {
      expect(await redisRateLimiter(gone, { limit: 1, windowS: 60 }, { prefix: prefix() }).take('k')).toEqual({ ok: true });
    } finally {
      gone.close();
    }
  });
});
