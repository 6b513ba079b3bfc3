/**
 * Presence and typing across two hub instances on the real Redis: a user appears on their first
 * socket and leaves with their last, an instance that stops heart-beating loses its users within
 * the TTL, and typing reaches the others, throttled, never replayed.
 */
import { afterAll, beforeAll, expect, test } from 'bun:test';
import { newUser } from '@syncro/testing';
import { eventually, startHub, type Hub } from '../../test/harness.ts';

let a: Hub;
let b: Hub;
beforeAll(async () => {
  a = await startHub({ env: { PRESENCE_HEARTBEAT_MS: '200' } });
  b = await startHub({ tickets: a.tickets, bridge: false, env: { PRESENCE_HEARTBEAT_MS: '200' } });
}, 60_000);
afterAll(async () => {
  await b?.stop();
  await a?.stop();
});

async function project() {
  const owner = await a.tickets.owner('Present');
  const mate = newUser('Mate');
  expect((await owner.api.post(`/projects/${owner.project.id}/members`, { userId: mate.id })).status).toBe(201);
  return { ...owner, mate };
}

test('a user appears on their first socket and leaves with their last, seen from another instance', async () => {
  const { user, project: p, mate } = await project();
  const o = await a.socket(user);
  o.send('joinProject', { projectId: p.id });
  expect((await o.next('joined')).data.presence).toEqual([{ userId: user.id, name: user.name }]);

  const m1 = await b.socket(mate);
  m1.send('joinProject', { projectId: p.id });
  const joined = await m1.next('joined');
  await eventually('the owner in the mate\'s view', () =>
    joined.data.presence.some((u: any) => u.userId === user.id) || m1.frames.some((f) => f.event === 'presence' && f.data.joined.some((u: any) => u.userId === user.id)),
  );
  expect((await o.next((f) => f.event === 'presence' && f.data.joined.length > 0)).data).toEqual({ projectId: p.id, joined: [{ userId: mate.id, name: mate.name }], left: [] });

  // A second socket of the same user changes nothing; closing one of two neither.
  const m2 = await b.socket(mate);
  m2.send('joinProject', { projectId: p.id });
  await m2.next('joined');
  m1.close();
  await Bun.sleep(700);
  expect(o.frames.filter((f) => f.event === 'presence' && f.data.left.includes(mate.id))).toEqual([]);
  m2.close();
  expect((await o.next((f) => f.event === 'presence' && f.data.left.length > 0)).data).toEqual({ projectId: p.id, joined: [], left: [mate.id] });
});

test('the users of an instance that stopped heart-beating disappear within the TTL', async () => {
  const { user, project: p, mate } = await project();
  const o = await a.socket(user);
  o.send('joinProject', { projectId: p.id });
  await o.next('joined');
  const dead = await startHub({ tickets: a.tickets, bridge: false, env: { PRESENCE_HEARTBEAT_MS: '200' } });
  try {
    const m = await dead.socket(mate);
    m.send('joinProject', { projectId: p.id });
    await m.next('joined');
    await o.next((f) => f.event === 'presence' && f.data.joined.some((u: any) => u.userId === mate.id));
    // Frozen: no more heartbeats, no goodbye.
    dead.service.hub.stop();
    const frozenAt = Date.now();
    await o.next((f) => f.event === 'presence' && f.data.left.includes(mate.id), 5000);
    expect(Date.now() - frozenAt).toBeLessThan(2000);
  } finally {
    await dead.stop();
  }
});

test('typing reaches the other sockets of the room on both instances, throttled, and is not replayed', async () => {
  const { user, project: p, mate } = await project();
  const o = await a.socket(user);
  o.send('joinProject', { projectId: p.id });
  await o.next('joined');
  const near = await a.socket(mate);
  const far = await b.socket(mate);
  for (const s of [near, far]) {
    s.send('joinProject', { projectId: p.id });
    await s.next('joined');
  }
  // Two sockets of the same user typing: throttled per user, not per socket.
  const o2 = await a.socket(user);
  o2.send('joinProject', { projectId: p.id });
  await o2.next('joined');
  for (let i = 0; i < 5; i++) (i % 2 ? o2 : o).send('userTyping', { projectId: p.id, ticketId: 'SYNC-1' });
  const want = { projectId: p.id, ticketId: 'SYNC-1', userId: user.id, userName: user.name };
  for (const s of [near, far]) expect((await s.next('userTyping')).data).toEqual(want);
  await Bun.sleep(300);
  for (const s of [near, far]) expect(s.frames.filter((f) => f.event === 'userTyping')).toHaveLength(1);
  expect(o.frames.filter((f) => f.event === 'userTyping')).toEqual([]);
  // A later joiner gets no replay.
  const late = await b.socket(mate);
  late.send('joinProject', { projectId: p.id });
  await late.next('joined');
  late.send('ping');
  await late.next('pong');
  expect(late.frames.filter((f) => f.event === 'userTyping')).toEqual([]);
  // Typing in a room one has not joined is refused.
  const outsider = await a.socket(newUser('Outsider'));
  outsider.send('userTyping', { projectId: p.id, ticketId: 'SYNC-1' });
  expect((await outsider.next('error')).data.code).toBe('NOT_JOINED');
});
