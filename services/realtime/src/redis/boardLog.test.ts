/** The hot window's script on the real Redis: one write + one PUBLISH per version, out of order, capped. */
import { afterAll, expect, test } from 'bun:test';
import { RedisClient } from 'bun';
import { createRedisCache } from '@syncro/kit/cache';
import { eventually } from '@syncro/testing';
import { REDIS_URL } from '@syncro/tickets/harness';
import { boardChannel, createBoardLog } from './boardLog.ts';

const cache = createRedisCache({ url: REDIS_URL, timeoutMs: 1000 });
const log = createBoardLog(cache, { cap: 5, ttlSeconds: 60 });
afterAll(() => cache.close());

const event = (projectId: string, version: number) => ({ topic: 'ticket.deleted', version, data: { projectId, version, ticketId: `t${version}` } });

test('each version is stored and published once, in any arrival order; the window keeps the newest `cap`', async () => {
  const projectId = crypto.randomUUID();
  const sub = new RedisClient(REDIS_URL);
  const heard: number[] = [];
  await sub.subscribe(boardChannel(projectId), (m) => heard.push(JSON.parse(m).version));
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
    sub.close();
    await cache.del(`board:${projectId}:log`);
  }
});
