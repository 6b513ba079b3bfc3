/**
 * Redis restarts mid-stream (a throwaway server; it comes back empty). Bun's RedisClient reconnects
 * but does not re-subscribe: a naive subscriber goes deaf, which this test shows beside the hub,
 * whose rooms re-subscribe on reconnect and repair the hole from history, losing nothing.
 */
import { createRedisSubscriber } from '@syncro/kit/pubsub';
import { afterAll, beforeAll, expect, test } from 'bun:test';
import { RedisClient } from 'bun';
import { startThrowawayRedis, type ThrowawayRedis } from '@syncro/testing/redis';
import { client, eventually } from '@syncro/testing';
import { startHub, type Hub } from '../../test/harness.ts';

let redis: ThrowawayRedis;
let hub: Hub;
beforeAll(async () => {
  redis = await startThrowawayRedis();
  hub = await startHub({ redisUrl: redis.url, env: { LIVENESS_CHECK_MS: '300' } });
}, 60_000);
afterAll(async () => {
  await hub?.stop();
  await redis?.dispose();
}, 60_000);

test('a Redis restart mid-stream: the room re-subscribes and every version arrives once, in order; a naive subscriber stays deaf', async () => {
  const { user, api, project } = await hub.tickets.owner('Restart');
  const s = await hub.socket(user);
  s.send('joinProject', { projectId: project.id });
  const base = (await s.next('joined')).data.version as number;
  const naive = new RedisClient(redis.url, { autoReconnect: true, maxRetries: 1_000_000 });
  const naiveGot: number[] = [];
  await naive.subscribe(`board:${project.id}`, (m) => naiveGot.push(JSON.parse(m).version));

  let n = 0;
  const create = async () => expect((await api.post(`/projects/${project.id}/tickets`, { title: `t${++n}` })).status).toBe(201);
  for (let i = 0; i < 3; i++) await create();
  await eventually('the first three live', () => s.board(project.id).length === 3);
  await eventually('the naive subscriber to see them too', () => naiveGot.length === 3);

  await redis.stop();
  for (let i = 0; i < 3; i++) await create(); // while Redis is down: the bridge waits for it
  await redis.start();
  await eventually('the naive client to reconnect', () => naive.connected);
  for (let i = 0; i < 3; i++) await create();

  const want = Array.from({ length: 9 }, (_, i) => base + 1 + i);
  await eventually('all nine versions on the socket', () => s.board(project.id).length >= 9, 20_000);
  s.send('ping');
  await s.next('pong');
  expect(s.board(project.id).map((f) => f.data.version)).toEqual(want);
  // The pitfall the hub works around: connected again, yet nothing published after the restart reaches it.
  expect(naive.connected).toBe(true);
  expect(naiveGot.filter((v) => v > base + 6)).toEqual([]);
  naive.close();
}, 60_000);

test('a deaf subscription (connected, channel silently dropped) is found by the liveness check and repaired', async () => {
  const { user, api, project } = await hub.tickets.owner('Deaf');
  const s = await hub.socket(user);
  s.send('joinProject', { projectId: project.id });
  const base = (await s.next('joined')).data.version as number;
  // Behind the hub's back: the connection stays up, the channel's messages stop.
  // Behind the hub's back, on the Redis connection itself: the channel goes silent, nothing says so.
  await (hub.service.hub.subscriber as ReturnType<typeof createRedisSubscriber>).client.unsubscribe(`board:${project.id}`);
  for (let i = 1; i <= 3; i++) expect((await api.post(`/projects/${project.id}/tickets`, { title: `d${i}` })).status).toBe(201);
  await eventually('the three missed versions', () => s.board(project.id).length >= 3, 10_000);
  // Subscribed again: the next one arrives live.
  expect((await api.post(`/projects/${project.id}/tickets`, { title: 'd4' })).status).toBe(201);
  await eventually('the fourth', () => s.board(project.id).length >= 4, 5_000);
  expect(s.board(project.id).map((f) => f.data.version)).toEqual([1, 2, 3, 4].map((i) => base + i));
}, 60_000);

test('Redis down: tickets answer 503 and a join gets an UNAVAILABLE error frame, quickly; both work again after', async () => {
  const { user, api, project } = await hub.tickets.owner('Down');
  const realtime = client(hub.url, await hub.idp.token(user));
  const s = await hub.socket(user);
  await redis.stop();
  try {
    const started = Date.now();
    const issued = await realtime.post('/realtime/ticket');
    expect(issued.status).toBe(503);
    expect(issued.body.error.code).toBe('UNAVAILABLE');
    s.send('joinProject', { projectId: project.id });
    expect((await s.next('error', 5000)).data.code).toBe('UNAVAILABLE');
    expect(Date.now() - started).toBeLessThan(4000);
  } finally {
    await redis.start();
  }
  await eventually('tickets again', async () => (await realtime.post('/realtime/ticket')).status === 201);
  s.send('joinProject', { projectId: project.id });
  await s.next('joined');
  expect((await api.post(`/projects/${project.id}/tickets`, { title: 'after' })).status).toBe(201);
  await s.next('ticketCreated');
}, 60_000);
