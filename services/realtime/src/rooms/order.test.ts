/**
 * A room's order on its own Redis with no bridge: the test publishes the project's real events on
 * the channel itself, out of order, with a hole and a duplicate. The room must deliver every version
 * once, in order, filling the hole from the Ticket Service's log.
 */
import { afterAll, beforeAll, expect, test } from 'bun:test';
import { RedisClient } from 'bun';
import { startThrowawayRedis, type ThrowawayRedis } from '@syncro/testing/redis';
import { eventually, newUser } from '@syncro/testing';
import { startHub, type Hub } from '../../test/harness.ts';

let redis: ThrowawayRedis;
let hub: Hub;
let publisher: RedisClient;
beforeAll(async () => {
  redis = await startThrowawayRedis();
  hub = await startHub({ redisUrl: redis.url, bridge: false, env: { HOLE_GRACE_MS: '30' } });
  publisher = new RedisClient(redis.url);
  await publisher.connect();
}, 60_000);
afterAll(async () => {
  publisher?.close();
  await hub?.stop();
  await redis?.dispose();
}, 60_000);

test('events published out of order, with a hole and a duplicate, come out once each, in version order', async () => {
  const { user, api, project } = await hub.tickets.owner('Order');
  const s = await hub.socket(user);
  s.send('joinProject', { projectId: project.id });
  const base = (await s.next('joined')).data.version as number;
  for (let i = 1; i <= 6; i++) expect((await api.post(`/projects/${project.id}/tickets`, { title: `t${i}` })).status).toBe(201);
  const log = await api.get(`/projects/${project.id}/events?after=${base}`);
  expect(log.body.events.map((e: any) => e.version)).toEqual([1, 2, 3, 4, 5, 6].map((i) => base + i));
  const byVersion = new Map<number, any>(log.body.events.map((e: any) => [e.version, e]));
  const publish = (v: number) => publisher.send('PUBLISH', [`board:${project.id}`, JSON.stringify(byVersion.get(base + v))]);

  // Nothing is bridged: the room has seen nothing.
  await Bun.sleep(100);
  expect(s.board(project.id)).toEqual([]);
  // 6 and 4 ahead of their turn, 1 in turn, 3 twice, 2 and 5 never published (holes for history).
  for (const v of [6, 4, 1, 3, 3]) await publish(v);
  await eventually('all six versions', () => s.board(project.id).length >= 6);
  await publish(4); // late duplicate of an already delivered version
  s.send('ping');
  await s.next('pong');
  expect(s.board(project.id).map((f) => f.data.version)).toEqual([1, 2, 3, 4, 5, 6].map((i) => base + i));
  expect(s.board(project.id).map((f) => f.data.title)).toEqual(['t1', 't2', 't3', 't4', 't5', 't6']);
}, 60_000);

test('a status change that arrives before its ticket\'s creation still comes out after it', async () => {
  const { user, api, project } = await hub.tickets.owner('Topics');
  const s = await hub.socket(user);
  s.send('joinProject', { projectId: project.id });
  const base = (await s.next('joined')).data.version as number;
  const t = (await api.post(`/projects/${project.id}/tickets`, { title: 'card' })).body;
  expect((await api.patch(`/tickets/${t.id}`, { assigneeId: user.id })).status).toBe(200);
  expect((await api.patch(`/tickets/${t.id}/status`, { status: 'IN_PROGRESS' })).status).toBe(200);
  const log = (await api.get(`/projects/${project.id}/events?after=${base}`)).body.events as any[];
  expect(log.map((e) => e.topic)).toEqual(['ticket.created', 'ticket.updated', 'ticket.status.updated']);
  // The status topic is consumed first, then the creation, then the assignment.
  for (const e of [log[2], log[0], log[1]]) await publisher.send('PUBLISH', [`board:${project.id}`, JSON.stringify(e)]);
  await eventually('three frames', () => s.board(project.id).length >= 3);
  expect(s.board(project.id).map((f) => f.event)).toEqual(['ticketCreated', 'ticketAssigned', 'ticketMoved']);
}, 60_000);

test('with a service credential, a room fills holes with it, not with a member\'s token', async () => {
  const { user, api, project } = await hub.tickets.owner('Service');
  // Stands in for the Auth Service's client-credentials token (here the owner's own token), counted.
  let used = 0;
  const credentialed = await startHub({ tickets: hub.tickets, redisUrl: redis.url, bridge: false, serviceToken: async () => (used++, hub.idp.token(user)) });
  try {
    const member = newUser('Member');
    expect((await api.post(`/projects/${project.id}/members`, { userId: member.id })).status).toBe(201);
    const s = await credentialed.socket(member);
    s.send('joinProject', { projectId: project.id });
    const base = (await s.next('joined')).data.version as number;
    for (let i = 1; i <= 3; i++) expect((await api.post(`/projects/${project.id}/tickets`, { title: `s${i}` })).status).toBe(201);
    const log = (await api.get(`/projects/${project.id}/events?after=${base}`)).body.events as any[];
    await publisher.send('PUBLISH', [`board:${project.id}`, JSON.stringify(log[2])]);
    await eventually('three frames', () => s.board(project.id).length >= 3);
    expect(s.board(project.id).map((f) => f.data.version)).toEqual([base + 1, base + 2, base + 3]);
    expect(used).toBeGreaterThan(0);
  } finally {
    await credentialed.stop();
  }
}, 60_000);
