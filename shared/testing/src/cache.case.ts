/** @module The one behaviour suite every cache adapter must pass, run by each adapter's test file. */
import { afterAll, describe, expect, test } from 'bun:test';
import type { Cache } from '@syncro/kit/cache';

export function cacheSuite(name: string, make: () => Promise<{ cache: Cache; dispose?: () => Promise<void> }>) {
  describe(`cache port: ${name}`, async () => {
    const { cache, dispose } = await make();
    const k = (s: string) => `test:${name}:${crypto.randomUUID()}:${s}`;
    afterAll(async () => {
      cache.close();
      await dispose?.();
    });

    test('get of a missing key is null', async () => {
      expect(await cache.get(k('missing'))).toBeNull();
    });

    test('set then get returns the same string, JSON left untouched', async () => {
      const key = k('json');
      const value = JSON.stringify({ a: 1, b: ['x', null] });
      await cache.set(key, value, 60);
      expect(await cache.get(key)).toBe(value);
    });

    test('del removes several keys', async () => {
      const [a, b] = [k('a'), k('b')];
      await cache.set(a, '1', 60);
      await cache.set(b, '2', 60);
      await cache.del(a, b);
      expect(await cache.get(a)).toBeNull();
      expect(await cache.get(b)).toBeNull();
    });

    test('ttl expires the key', async () => {
      const key = k('ttl');
      await cache.set(key, 'v', 1);
      await Bun.sleep(2100);
      expect(await cache.get(key)).toBeNull();
    });

    test('eval runs Lua atomically with keys and args', async () => {
      const key = k('lua');
      const out = await cache.eval("redis.call('SET', KEYS[1], ARGV[1]); return redis.call('GET', KEYS[1])", [key], ['hello']);
      expect(out).toBe('hello');
    });

    test('ping answers', async () => {
      await cache.ping();
    });
  });
}
