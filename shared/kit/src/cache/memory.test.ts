import { expect, test } from 'bun:test';
import { cacheSuite } from '@syncro/testing/cache.case';
import { createMemoryCache } from './memory.ts';

cacheSuite('in-process', async () => ({ cache: createMemoryCache() }));

// The services' own scripts, as they run on Redis (tickets/board/boardCache.ts, realtime/redis/boardLog.ts, rooms/presence.ts).
const APPEND = `
local v = tonumber(ARGV[1])
if #redis.call('ZRANGEBYSCORE', KEYS[1], v, v, 'LIMIT', 0, 1) > 0 then return 0 end
redis.call('ZADD', KEYS[1], v, ARGV[2])
local cap = tonumber(ARGV[3])
local n = redis.call('ZCARD', KEYS[1])
if n > cap then redis.call('ZREMRANGEBYRANK', KEYS[1], 0, n - cap - 1) end
redis.call('EXPIRE', KEYS[1], ARGV[4])
redis.call('PUBLISH', KEYS[2], ARGV[2])
return 1`;
const WRITE_IF_FRESH = `
local fence = tonumber(redis.call('GET', KEYS[2]) or '0')
if fence > tonumber(ARGV[2]) then return 0 end
redis.call('SET', KEYS[1], ARGV[1], 'EX', ARGV[3])
redis.call('SET', KEYS[2], ARGV[2], 'EX', ARGV[4])
return 1`;
const PRESENCE = `
local prefix = ARGV[3] .. ':'
for _, m in ipairs(redis.call('ZRANGE', KEYS[1], 0, -1)) do
  if string.sub(m, 1, #prefix) == prefix then redis.call('ZREM', KEYS[1], m) end
end
for i = 4, #ARGV do redis.call('ZADD', KEYS[1], ARGV[2], prefix .. ARGV[i]) end
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[1])
return redis.call('ZRANGEBYSCORE', KEYS[1], ARGV[1], '+inf')`;

test('the hot window: idempotent by version, capped, published once, read after a version', async () => {
  const cache = createMemoryCache();
  const heard: string[] = [];
  cache.pubsub.subscribe('board:p', (m) => heard.push(m));
  const append = (v: number) => cache.eval(APPEND, ['board:p:log', 'board:p'], [String(v), `e${v}`, '3', '60']);
  expect(await append(1)).toBe(1);
  expect(await append(1)).toBe(0);
  for (const v of [3, 2, 4, 5]) await append(v);
  await Bun.sleep(0);
  expect(heard).toEqual(['e1', 'e3', 'e2', 'e4', 'e5']);
  expect(await cache.eval(`return redis.call('ZRANGEBYSCORE', KEYS[1], '(' .. ARGV[1], '+inf', 'LIMIT', 0, ARGV[2])`, ['board:p:log'], ['3', '10'])).toEqual(['e4', 'e5']);
  expect(await cache.eval(`return redis.call('ZCARD', KEYS[1])`, ['board:p:log'], [])).toBe(3);
  cache.close();
});

test('the board fence: an older board is never stored over a newer invalidation', async () => {
  const cache = createMemoryCache();
  await cache.set('fence', '7', 60);
  expect(await cache.eval(WRITE_IF_FRESH, ['board', 'fence'], ['old', '6', '60', '60'])).toBe(0);
  expect(await cache.get('board')).toBeNull();
  expect(await cache.eval(WRITE_IF_FRESH, ['board', 'fence'], ['new', '7', '60', '60'])).toBe(1);
  expect(await cache.get('board')).toBe('new');
  cache.close();
});

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
