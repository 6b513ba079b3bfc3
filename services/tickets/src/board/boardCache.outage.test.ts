import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { eventually } from '@syncro/testing';
import { startThrowawayRedis, type ThrowawayRedis } from '@syncro/testing/redis';
import { expectStatus } from '@syncro/testing/typed';
import { startTickets, type Tickets, type TicketsClient } from '@syncro/tickets/harness';

let redis: ThrowawayRedis;
let t: Tickets;
beforeAll(async () => {
  // Its own Redis: this file stops and freezes it.
  redis = await startThrowawayRedis();
  t = await startTickets({ redisUrl: redis.url });
});
afterAll(async () => {
  await t.stop();
  await redis.dispose();
});

/** The pid of the throwaway redis-server, found by its port (the helper does not expose it). */
function redisPid(): number {
  const out = Bun.spawnSync(['ss', '-ltnpH', `sport = :${redis.port}`]).stdout.toString();
  const pid = Number(/pid=(\d+)/.exec(out)?.[1]);
  if (!pid) throw new Error(`no redis-server on port ${redis.port}: ${out}`);
  return pid;
}

const p50 = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/** Latencies of `n` ticket creates (each one a write with an after-commit invalidation). */
async function timedWrites(api: TicketsClient, projectId: string, n: number) {
  const times: number[] = [];
  for (let i = 0; i < n; i++) {
    const started = performance.now();
    const res = await api.projects({ id: projectId }).tickets.post({ title: `w${i}` });
    times.push(performance.now() - started);
    expect(res.status).toBe(201);
  }
  return times;
}

async function boardAfterRecovery(api: TicketsClient, projectId: string, tickets: number) {
  const board = expectStatus(await api.projects({ id: projectId }).board.get(), 200);
  expect(board.version).toBe(1 + tickets);
  expect(board.columns.OPEN).toHaveLength(tickets);
  // And once the cache holds it again, the cached copy is the same board.
  const hit = await eventually('a cache hit', async () => {
    const r = await api.projects({ id: projectId }).board.get();
    return r.response.headers.get('x-cache') === 'HIT' && r;
  });
  expect(expectStatus(hit, 200)).toEqual(board);
}

describe('writes while Redis is away do not wait for it', () => {
  test('stopped: write p50 stays near the database, the board is right after Redis returns', async () => {
    const { typed: api, project } = await t.owner();
    await api.projects({ id: project.id }).board.get(); // cached at version 1
    await redis.stop();
    try {
      const times = await timedWrites(api, project.id, 20);
      expect(p50(times)).toBeLessThan(50);
    } finally {
      await redis.start();
    }
    // The restarted server is empty; reads come back to it after the breaker's pause.
    await Bun.sleep(1100);
    await boardAfterRecovery(api, project.id, 20);
  }, 30_000);

  test('frozen (SIGSTOP): write p50 stays near the database; owed invalidations land on thaw', async () => {
    const { typed: api, project } = await t.owner();
    await eventually('the board cached', async () => (await api.projects({ id: project.id }).board.get()).response.headers.get('x-cache') === 'HIT');
    const pid = redisPid();
    process.kill(pid, 'SIGSTOP');
    try {
      const times = await timedWrites(api, project.id, 20);
      expect(p50(times)).toBeLessThan(50);
    } finally {
      process.kill(pid, 'SIGCONT');
    }
    // Thawed, the server still holds the board at version 1: the owed invalidation must reach it
    // before anything is served from it.
    await Bun.sleep(1100);
    await boardAfterRecovery(api, project.id, 20);
  }, 30_000);
});
