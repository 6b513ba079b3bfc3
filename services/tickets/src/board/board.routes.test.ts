import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { newUser, type HealthBody } from '@syncro/testing';
import { startThrowawayRedis, type ThrowawayRedis } from '@syncro/testing/redis';
import { expectStatus } from '@syncro/testing/typed';
import { startTickets, type Tickets } from '@syncro/tickets/harness';
import { TRUST_MS } from './boardCache.ts';

let redis: ThrowawayRedis;
let t: Tickets;
beforeAll(async () => {
  // Its own Redis: this file stops it to prove the board survives a Redis outage.
  redis = await startThrowawayRedis();
  t = await startTickets({ redisUrl: redis.url });
});
afterAll(async () => {
  await t.stop();
  await redis.dispose();
});

const computations = async () => {
  const text = (await t.anonymous.get('/metrics')).body as string;
  return Number(/^board_computations_total (\d+)$/m.exec(text)?.[1] ?? 0);
};

describe('board', () => {
  test('shape: four columns, version, priority then number order', async () => {
    const { typed: api, project } = await t.owner();
    for (const [title, priority] of [['low', 'LOW'], ['crit', 'URGENT'], ['crit2', 'URGENT']] as const) {
      expectStatus(await api.projects({ id: project.id }).tickets.post({ title, priority }), 201);
    }
    const board = expectStatus(await api.projects({ id: project.key }).board.get(), 200);
    expect(Object.keys(board.columns)).toEqual(['OPEN', 'IN_PROGRESS', 'REVIEW', 'DONE']);
    expect(board).toMatchObject({ projectId: project.id, version: 4 });
    expect(board.columns.OPEN.map((x) => x.title)).toEqual(['crit', 'crit2', 'low']);
  });

  test('MISS then HIT, and every kind of change invalidates', async () => {
    const { typed: api, project, user } = await t.owner();
    const other = newUser('Other');
    const board = () => api.projects({ id: project.id }).board.get();
    const expectFreshThenCached = async (version: number) => {
      const miss = await board();
      expect(miss.response.headers.get('x-cache')).toBe('MISS');
      const missed = expectStatus(miss, 200);
      expect(missed.version).toBe(version);
      const hit = await board();
      expect(hit.response.headers.get('x-cache')).toBe('HIT');
      expect(expectStatus(hit, 200)).toEqual(missed);
      return missed;
    };

    await expectFreshThenCached(1);
    const ticket = expectStatus(await api.projects({ id: project.id }).tickets.post({ title: 'a' }), 201);
    expect((await expectFreshThenCached(2)).columns.OPEN).toHaveLength(1);
    await api.tickets({ id: ticket.id }).patch({ title: 'b', assigneeId: user.id });
    expect((await expectFreshThenCached(3)).columns.OPEN[0]!.title).toBe('b');
    await api.tickets({ id: ticket.id }).status.patch({ status: 'IN_PROGRESS' });
    expect((await expectFreshThenCached(4)).columns.IN_PROGRESS).toHaveLength(1);
    await api.tickets({ id: ticket.id }).comments.post({ content: 'c' });
    await expectFreshThenCached(5);
    await api.projects({ id: project.id }).members.post({ userId: other.id });
    await expectFreshThenCached(6);
    // The new member reads the cached board too.
    const asOther = await t.typed(other);
    expect((await asOther.projects({ id: project.id }).board.get()).response.headers.get('x-cache')).toBe('HIT');
    await api.projects({ id: project.id }).members({ userId: other.id }).delete();
    await expectFreshThenCached(7);
    // Removal reached the cache: the removed member is refused on a HIT.
    expect((await asOther.projects({ id: project.id }).board.get()).status).toBe(404);
    await api.tickets({ id: ticket.id }).delete();
    expect((await expectFreshThenCached(8)).columns.IN_PROGRESS).toHaveLength(0);
  });

  test('the cache key is project:tickets:{projectId}', async () => {
    const { api, project } = await t.owner();
    await api.get(`/projects/${project.id}/board`);
    const raw = await new Bun.RedisClient(redis.url).get(`project:tickets:${project.id}`);
    expect(raw).toStartWith(`1\n`); // version, then member ids, then the board
    expect(raw).toContain(`"projectId":"${project.id}"`);
  });

  test('concurrent misses are computed once', async () => {
    const { typed: api, project } = await t.owner();
    expectStatus(await api.projects({ id: project.id }).tickets.post({ title: 'x' }), 201);
    const before = await computations();
    const replies = await Promise.all(Array.from({ length: 20 }, () => api.projects({ id: project.id }).board.get()));
    expect(replies.every((r) => r.status === 200 && r.data?.version === 2)).toBe(true);
    expect(await computations()).toBe(before + 1);
  });

  test('Redis down: the board is still served (200, from Postgres), changes still land; back up: cached again', async () => {
    const { typed: api, project } = await t.owner();
    const board = () => api.projects({ id: project.id }).board.get();
    await board();
    await redis.stop();
    // The process may serve its copy for TRUST_MS after the last fence read vouched for it (by design).
    await Bun.sleep(TRUST_MS + 10);
    try {
      const started = performance.now();
      const down = await board();
      expect(down.status).toBe(200);
      expect(down.response.headers.get('x-cache')).toBe('MISS');
      expect(performance.now() - started).toBeLessThan(2000);
      const created = await api.projects({ id: project.id }).tickets.post({ title: 'while redis is down' });
      expect(created.status).toBe(201);
      const after = expectStatus(await board(), 200);
      expect(after.columns.OPEN.map((x) => x.title)).toEqual(['while redis is down']);
      const health = await t.anonymous.get<HealthBody>('/health');
      expect(health.status).toBe(200);
      expect(health.body.status).toBe('degraded');
    } finally {
      await redis.start();
    }
    // Reconnects on demand: one MISS refills, then HITs.
    let last = '';
    for (let i = 0; i < 20 && last !== 'HIT'; i++) {
      last = (await board()).response.headers.get('x-cache') ?? '';
      if (last !== 'HIT') await Bun.sleep(100);
    }
    expect(last).toBe('HIT');
    expect(expectStatus(await board(), 200).version).toBe(2);
  });
});
