/**
 * Rooms end to end: a real Ticket Service writes, its relay publishes to Kafka, the hub's bridge
 * puts each event on Redis, and sockets receive the board frames, in version order, exactly once.
 */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { newUser, type Client, type TestUser } from '@syncro/testing';
import { startHub, type Hub, type Socket } from '../../test/harness.ts';

let hub: Hub;
beforeAll(async () => {
  hub = await startHub();
});
afterAll(async () => {
  await hub?.stop();
});

const versions = (s: Socket, projectId: string) => s.board(projectId).map((f) => f.data.version as number);
const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

async function createTicket(api: Client, projectId: string, title: string) {
  const res = await api.post(`/projects/${projectId}/tickets`, { title });
  if (res.status !== 201) throw new Error(`create failed ${res.status} ${JSON.stringify(res.body)}`);
  return res.body as { id: string; code: string; version: number };
}

async function team() {
  const owner = await hub.tickets.owner('Owner');
  const mate = newUser('Mate');
  const added = await owner.api.post(`/projects/${owner.project.id}/members`, { userId: mate.id });
  expect(added.status).toBe(201);
  return { ...owner, mate, mateApi: await hub.tickets.as(mate) };
}

const join = async (user: TestUser, data: Record<string, unknown>) => {
  const s = await hub.socket(user);
  s.send('joinProject', data);
  return { s, joined: await s.next('joined') };
};

describe('live board', () => {
  test('a create, an assignment and a move reach every member socket in order, with the spec frames', async () => {
    const { user, api, project, mate } = await team();
    const a = await join(user, { projectId: project.id });
    const b = await join(mate, { key: project.key });
    expect(a.joined.data).toMatchObject({ projectId: project.id, key: project.key, resumed: false });
    expect(b.joined.data.version).toBe(a.joined.data.version);
    const base = a.joined.data.version as number;

    const t = await createTicket(api, project.id, 'Live card');
    expect((await api.patch(`/tickets/${t.id}`, { assigneeId: mate.id })).status).toBe(200);
    expect((await api.patch(`/tickets/${t.id}/status`, { status: 'IN_PROGRESS' })).status).toBe(200);

    for (const { s } of [a, b]) {
      const created = await s.next('ticketCreated');
      expect(created.data).toMatchObject({ projectId: project.id, ticketId: t.id, code: t.code, title: 'Live card', status: 'OPEN', version: base + 1 });
      const assigned = await s.next('ticketAssigned');
      expect(assigned.data).toMatchObject({ ticketId: t.id, assigneeId: mate.id, previousAssigneeId: null, version: base + 2 });
      const moved = await s.next('ticketMoved');
      expect(moved.data).toEqual({ projectId: project.id, ticketId: t.id, code: t.code, oldStatus: 'OPEN', newStatus: 'IN_PROGRESS', userId: user.id, version: base + 3 });
      expect(versions(s, project.id)).toEqual(range(base + 1, base + 3));
    }
  });

  test('resume with sinceVersion: exactly the missed events, in order, then live', async () => {
    const { user, api, project } = await team();
    const first = await join(user, { projectId: project.id });
    const base = first.joined.data.version as number;
    await createTicket(api, project.id, 'seen');
    await first.s.next('ticketCreated');
    first.s.close();
    await first.s.closed;

    for (let i = 0; i < 4; i++) await createTicket(api, project.id, `missed ${i}`);
    const again = await join(user, { projectId: project.id, sinceVersion: base + 1 });
    expect(again.joined.data.resumed).toBe(true);
    await createTicket(api, project.id, 'live');
    await again.s.next((f) => f.event === 'ticketCreated' && f.data.title === 'live');
    expect(versions(again.s, project.id)).toEqual(range(base + 2, base + 6));
    expect(again.s.board(project.id).map((f) => f.data.title)).toEqual(['missed 0', 'missed 1', 'missed 2', 'missed 3', 'live']);
    expect(again.s.frames.findIndex((f) => f.event === 'joined')).toBeLessThan(again.s.frames.findIndex((f) => f.event === 'ticketCreated'));
  });

  test('a hub with no room yet resumes from history (hot window, then the Ticket Service log)', async () => {
    const { user, api, project } = await team();
    const v0 = project.version;
    for (let i = 0; i < 3; i++) await createTicket(api, project.id, `before ${i}`);
    // A second hub instance without its own bridge: it has never seen this project.
    const other = await startHub({ tickets: hub.tickets, bridge: false });
    try {
      const s = await other.socket(user);
      s.send('joinProject', { projectId: project.id, sinceVersion: 0 });
      const joined = await s.next('joined');
      expect(joined.data.resumed).toBe(true);
      await s.next((f) => f.data?.version === joined.data.version);
      // Version 1 is the project's creation (no board change), then the member added, then the tickets.
      expect(versions(s, project.id)).toEqual(range(1, joined.data.version));
      expect(s.board(project.id)[0]).toMatchObject({ event: 'versionSkipped', data: { topic: 'project.created', version: 1 } });
      expect(s.board(project.id).filter((f) => f.event === 'ticketCreated')).toHaveLength(3);
      expect(joined.data.version).toBeGreaterThanOrEqual(v0 + 4);
    } finally {
      await other.stop();
    }
  });

  test('a member removed from the project is kicked within a second; their rejoin is refused', async () => {
    const { api, project, mate } = await team();
    const m = await join(mate, { projectId: project.id });
    const removedAt = Date.now();
    expect((await api.delete(`/projects/${project.id}/members/${mate.id}`)).status).toBe(204);
    const kicked = await m.s.next('kicked', 5000);
    expect(kicked.data.projectId).toBe(project.id);
    expect(Date.now() - removedAt).toBeLessThan(1000);
    await createTicket(api, project.id, 'secret');
    m.s.send('joinProject', { projectId: project.id });
    expect((await m.s.next('error')).data.code).toBe('NOT_A_MEMBER');
    expect(m.s.frames.some((f) => f.event === 'ticketCreated')).toBe(false);
  });

  test('leaveProject stops the frames; the last socket out drops the room', async () => {
    const { user, api, project } = await team();
    const { s } = await join(user, { projectId: project.id });
    expect(hub.service.hub.rooms.has(project.id)).toBe(true);
    s.send('leaveProject', { projectId: project.id });
    await s.next('left');
    expect(hub.service.hub.rooms.has(project.id)).toBe(false);
    await createTicket(api, project.id, 'unseen');
    s.send('ping');
    await s.next('pong');
    await Bun.sleep(300);
    expect(s.board(project.id)).toEqual([]);
  });
});

describe('several instances', () => {
  test('clients on two hub instances each see every event of their project, in order', async () => {
    const { user, api, project, mate } = await team();
    const other = await startHub({ tickets: hub.tickets, bridge: false });
    try {
      const a = await join(user, { projectId: project.id });
      const b = await other.socket(mate);
      b.send('joinProject', { projectId: project.id });
      const base = (await b.next('joined')).data.version as number;
      expect(a.joined.data.version).toBe(base);
      await Promise.all(Array.from({ length: 10 }, (_, i) => createTicket(api, project.id, `burst ${i}`)));
      for (const s of [a.s, b]) {
        await s.next((f) => f.data?.version === base + 10);
        expect(versions(s, project.id)).toEqual(range(base + 1, base + 10));
      }
    } finally {
      await other.stop();
    }
  });
});

describe('moves from the socket', () => {
  test('ticketMoved moves the card as the user; a refusal comes back with the request id and the allowed targets', async () => {
    const { user, api, project, mate } = await team();
    const { s } = await join(user, { projectId: project.id });
    const t = await createTicket(api, project.id, 'Drag me');
    s.send('ticketMoved', { ticketId: t.id, newStatus: 'DONE', requestId: 'r-1' });
    const refused = await s.next('error');
    expect(refused.data).toMatchObject({ code: 'TRANSITION_NOT_ALLOWED', requestId: 'r-1', details: { allowed: ['IN_PROGRESS'] } });
    expect((await api.patch(`/tickets/${t.id}`, { assigneeId: mate.id })).status).toBe(200);
    s.send('ticketMoved', { ticketId: t.code, newStatus: 'IN_PROGRESS', requestId: 'r-2' });
    const moved = await s.next('ticketMoved');
    expect(moved.data).toMatchObject({ ticketId: t.id, oldStatus: 'OPEN', newStatus: 'IN_PROGRESS', userId: user.id });
  });
});
