/**
 * The hot window's script on the real Redis and on the in-process cache the binary runs on: one
 * write + one PUBLISH per version, out of order, capped.
 */
import { afterAll, describe, expect, test } from 'bun:test';
import { RedisClient } from 'bun';
import { createMemoryCache, createRedisCache, type Cache } from '@syncro/kit/cache';
import { eventually } from '@syncro/testing';
import { REDIS_URL } from '@syncro/tickets/harness';
import { boardChannel, createBoardLog } from './boardLog.ts';

const redis = createRedisCache({ url: REDIS_URL, timeoutMs: 1000 });
const memory = createMemoryCache();
afterAll(() => {
  redis.close();
  memory.close();
});

/** Listens on a channel as each adapter's subscribers do; returns how to stop. */
const listen = async (name: string, channel: string, onMessage: (m: string) => void): Promise<() => void> => {
  if (name === 'in-process') return memory.pubsub.subscribe(channel, onMessage) ?? (() => {});
  const sub = new RedisClient(REDIS_URL);
  await sub.subscribe(channel, onMessage);
  return () => sub.close();
};

const event = (projectId: string, version: number) => ({ topic: 'ticket.deleted', version, data: { projectId, version, ticketId: `t${version}` } });

for (const [name, cache] of [['Redis', redis], ['in-process', memory]] as [string, Cache][]) {
  describe(name, () => {
    const log = createBoardLog(cache, { cap: 5, ttlSeconds: 60 });
    test('each version is stored and published once, in any arrival order; the window keeps the newest `cap`', async () => {
      const projectId = crypto.randomUUID();
      const heard: number[] = [];
      const stop = await listen(name, boardChannel(projectId), (m) => heard.push(JSON.parse(m).version));
      try {
        const added: boolean[] = [];
        for (const v of [3, 1, 2, 3, 1, 4]) added.push(await log.append(projectId, event(projectId, v)));
        expect(added).toEqual([true, true, true, false, false, true]);
        await eventually('four messages', () => heard.length === 4);
        expect(heard).toEqual([3, 1, 2, 4]);
        expect((await log.after(projectId, 0, 100)).map((e) => e.version)).toEqual([1, 2, 3, 4]);
        expect((await log.after(projectId, 2, 100)).map((e) => e.version)).toEqual([3, 4]);
        for (const v of [5, 6, 7]) await log.append(projectId, event(projectId, v));
        expect((await log.after(projectId, 0, 100)).map((e) => e.version)).toEqual([3, 4, 5, 6, 7]);
        expect(Number(await cache.eval(`return redis.call('TTL', KEYS[1])`, [`board:${projectId}:log`], []))).toBeGreaterThan(50);
      } finally {
        stop();
        await cache.del(`board:${projectId}:log`);
      }
    });
  });
}
