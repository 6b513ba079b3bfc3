import { expect, test } from 'bun:test';
import { cacheSuite } from '@syncro/testing/cache.case';
import { createMemoryCache } from './memory.ts';

cacheSuite('in-process', async () => ({ cache: createMemoryCache() }));

// The Lua the services' scripts lean on (ipairs, string.sub, score ranges, GETDEL, errors). The
// scripts themselves run on this adapter in their own tests (realtime/redis/boardLog.test.ts,
// tickets/board/boardCache.test.ts), beside Redis.
const PRESENCE = `
local prefix = ARGV[3] .. ':'
for _, m in ipairs(redis.call('ZRANGE', KEYS[1], 0, -1)) do
  if string.sub(m, 1, #prefix) == prefix then redis.call('ZREM', KEYS[1], m) end
end
for i = 4, #ARGV do redis.call('ZADD', KEYS[1], ARGV[2], prefix .. ARGV[i]) end
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[1])
return redis.call('ZRANGEBYSCORE', KEYS[1], ARGV[1], '+inf')`;

test('presence: ipairs, string.sub and score ranges; GETDEL takes a ticket once; errors are script errors', async () => {
  const cache = createMemoryCache();
  const now = Date.now();
  await cache.eval(PRESENCE, ['pres'], [String(now), String(now + 1000), 'i1', 'u1', 'u2']);
  await cache.eval(PRESENCE, ['pres'], [String(now), String(now + 1000), 'i2', 'u3']);
  expect(await cache.eval(PRESENCE, ['pres'], [String(now), String(now + 1000), 'i1', 'u1'])).toEqual(['i1:u1', 'i2:u3']);
  await cache.set('ticket', 'tok', 60);
  expect(await cache.eval(`return redis.call('GETDEL', KEYS[1])`, ['ticket'], [])).toBe('tok');
  expect(await cache.eval(`return redis.call('GETDEL', KEYS[1])`, ['ticket'], [])).toBeNull();
  await expect(cache.eval(`return redis.call('NOPE')`, [], [])).rejects.toThrow(/unknown command/);
  cache.close();
});
