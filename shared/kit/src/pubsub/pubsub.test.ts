/**
 * One behaviour, both adapters: each subscriber hears what its cache adapter publishes, alone or
 * from inside a script (the hub's hot window), per channel and in order, and nothing after
 * unsubscribing; a resubscribe never doubles delivery.
 */
import { afterAll, describe, expect, test } from 'bun:test';
import { eventually } from '@syncro/testing';
import { createMemoryCache, createRedisCache, type Cache } from '../cache/index.ts';
import { createLogger } from '../log/index.ts';
import { createMemorySubscriber } from './memory.ts';
import type { Subscriber } from './port.ts';
import { createRedisSubscriber } from './redis.ts';

const APPEND = `
local v = tonumber(ARGV[1])
if #redis.call('ZRANGEBYSCORE', KEYS[1], v, v, 'LIMIT', 0, 1) > 0 then return 0 end
redis.call('ZADD', KEYS[1], v, ARGV[2])
redis.call('EXPIRE', KEYS[1], 60)
redis.call('PUBLISH', KEYS[2], ARGV[2])
return 1`;

function pubsubSuite(name: string, make: () => { cache: Cache; subscriber: Subscriber }) {
  describe(`pub/sub port: ${name}`, () => {
    const { cache, subscriber } = make();
    afterAll(() => {
      subscriber.close();
      cache.close();
    });
    const ch = () => `test:${name}:${crypto.randomUUID()}`;
    const publish = (channel: string, message: string) => cache.eval(`return redis.call('PUBLISH', KEYS[1], ARGV[1])`, [channel], [message]);

    test('per channel, in order; PUBLISH answers the listeners reached', async () => {
      const [a, b] = [ch(), ch()];
      const got: Record<string, string[]> = { [a]: [], [b]: [] };
      await subscriber.subscribe(a, (m) => got[a]!.push(m));
      await subscriber.subscribe(b, (m) => got[b]!.push(m));
      expect(await publish(a, '1')).toBe(1);
      for (const m of ['2', '3']) await publish(a, m);
      await publish(b, 'x');
      expect(await publish(ch(), 'nobody')).toBe(0);
      await eventually('all heard', () => got[a]!.length === 3 && got[b]!.length === 1, 5000);
      expect(got).toEqual({ [a]: ['1', '2', '3'], [b]: ['x'] });
    });

    test("a script's PUBLISH (the hot window) is heard once the event is readable", async () => {
      const channel = ch();
      const log = `${channel}:log`;
      const heard: string[] = [];
      const readable: unknown[] = [];
      await subscriber.subscribe(channel, (m) => {
        heard.push(m);
        void cache.eval(`return redis.call('ZRANGEBYSCORE', KEYS[1], ARGV[1], ARGV[1])`, [log], [m]).then((r) => readable.push(r));
      });
      expect(await cache.eval(APPEND, [log, channel], ['5', '5'])).toBe(1);
      expect(await cache.eval(APPEND, [log, channel], ['5', '5'])).toBe(0);
      await eventually('heard and read', () => readable.length === 1, 5000);
      await Bun.sleep(100);
      expect(heard).toEqual(['5']);
      expect(readable).toEqual([['5']]);
    });

    test('nothing after unsubscribe; resubscribe does not double delivery', async () => {
      const channel = ch();
      const got: string[] = [];
      await subscriber.subscribe(channel, (m) => got.push(m));
      await subscriber.resubscribe(channel);
      await publish(channel, 'once');
      await eventually('heard', () => got.length >= 1, 5000);
      await subscriber.unsubscribe(channel);
      await publish(channel, 'after');
      await Bun.sleep(200);
      expect(got).toEqual(['once']);
      expect(subscriber.connected).toBe(true);
    });
  });
}

pubsubSuite('in-process', () => {
  const cache = createMemoryCache();
  return { cache, subscriber: createMemorySubscriber(cache.pubsub) };
});
pubsubSuite('redis', () => {
  const url = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
  return { cache: createRedisCache({ url }), subscriber: createRedisSubscriber(url, createLogger({ test: 'pubsub' })) };
});
