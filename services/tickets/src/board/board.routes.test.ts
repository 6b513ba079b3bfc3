import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { newUser } from '@syncro/testing';
import { startThrowawayRedis, type ThrowawayRedis } from '@syncro/testing/redis';
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
    const { api, project } = await t.owner();
    await api.post(`/projects/${project.id}/tickets`, { title: 'low', priority: 'LOW' });
    await api.post(`/projects/${project.id}/tickets`, { title: 'crit', priority: 'URGENT' });
    await api.post(`/projects/${project.id}/tickets`, { title: 'crit2', priority: 'URGENT' });
    const board = await api.get(`/projects/${project.key}/board`);
    expect(board.status).toBe(200);
    expect(Object.keys(board.body.columns)).toEqual(['OPEN', 'IN_PROGRESS', 'REVIEW', 'DONE']);
    expect(board.body).toMatchObject({ projectId: project.id, version: 4 });
    expect(board.body.columns.OPEN.map((x: { title: string }) => x.title)).toEqual(['crit', 'crit2', 'low']);
  });

  test('MISS then HIT, and every kind of change invalidates', async () => {
    const { api, project, user } = await t.owner();
    const other = newUser('Other');
    const board = () => api.get(`/projects/${project.id}/board`);
    const expectFreshThenCached = async (version: number) => {
      const miss = await board();
      expect(miss.headers.get('x-cache')).toBe('MISS');
      expect(miss.body.version).toBe(version);
      const hit = await board();
      expect(hit.headers.get('x-cache')).toBe('HIT');
      expect(hit.body).toEqual(miss.body);
      return miss.body;
    };

    await expectFreshThenCached(1);
    const ticket = (await api.post(`/projects/${project.id}/tickets`, { title: 'a' })).body;
    expect((await expectFreshThenCached(2)).columns.OPEN).toHaveLength(1);
    await api.patch(`/tickets/${ticket.id}`, { title: 'b', assigneeId: user.id });
    expect((await expectFreshThenCached(3)).columns.OPEN[0].title).toBe('b');
    await api.patch(`/tickets/${ticket.id}/status`, { status: 'IN_PROGRESS' });
    expect((await expectFreshThenCached(4)).columns.IN_PROGRESS).toHaveLength(1);
    await api.post(`/tickets/${ticket.id}/comments`, { content: 'c' });
    await expectFreshThenCached(5);
    await api.post(`/projects/${project.id}/members`, { userId: other.id });
    await expectFreshThenCached(6);
    // The new member reads the cached board too.
    const asOther = await t.as(other);
    expect((await asOther.get(`/projects/${project.id}/board`)).headers.get('x-cache')).toBe('HIT');
    await api.delete(`/projects/${project.id}/members/${other.id}`);
    await expectFreshThenCached(7);
    // Removal reached the cache: the removed member is refused on a HIT.
    expect((await asOther.get(`/projects/${project.id}/board`)).status).toBe(404);
    await api.delete(`/tickets/${ticket.id}`);
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
    const { api, project } = await t.owner();
    await api.post(`/projects/${project.id}/tickets`, { title: 'x' });
    const before = await computations();
    const replies = await Promise.all(Array.from({ length: 20 }, () => api.get(`/projects/${project.id}/board`)));
    expect(replies.every((r) => r.status === 200 && r.body.version === 2)).toBe(true);
    expect(await computations()).toBe(before + 1);
  });

  test('Redis down: the board is still served (200, from Postgres), changes still land; back up: cached again', async () => {
    const { api, project } = await t.owner();
    await api.get(`/projects/${project.id}/board`);
    await redis.stop();
    // The process may serve its copy for TRUST_MS after the last fence read vouched for it (by design).
    await Bun.sleep(TRUST_MS + 10);
    try {
      const started = performance.now();
      const down = await api.get(`/projects/${project.id}/board`);
      expect(down.status).toBe(200);
      expect(down.headers.get('x-cache')).toBe('MISS');
      expect(performance.now() - started).toBeLessThan(2000);
      const created = await api.post(`/projects/${project.id}/tickets`, { title: 'while redis is down' });
      expect(created.status).toBe(201);
      const after = await api.get(`/projects/${project.id}/board`);
      expect(after.body.columns.OPEN.map((x: { title: string }) => x.title)).toEqual(['while redis is down']);
      const health = await t.anonymous.get('/health');
      expect(health.status).toBe(200);
      expect(health.body.status).toBe('degraded');
    } finally {
      await redis.start();
    }
    // Reconnects on demand: one MISS refills, then HITs.
    let last = '';
    for (let i = 0; i < 20 && last !== 'HIT'; i++) {
      last = (await api.get(`/projects/${project.id}/board`)).headers.get('x-cache') ?? '';
      if (last !== 'HIT') await Bun.sleep(100);
    }
    expect(last).toBe('HIT');
    expect((await api.get(`/projects/${project.id}/board`)).body.version).toBe(2);
  });
});
