import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { newUser } from '@syncro/testing';
import { startTickets, type Tickets } from '@syncro/tickets/harness';

let t: Tickets;
beforeAll(async () => {
  t = await startTickets();
});
afterAll(() => t.stop());

describe('tickets', () => {
  test('create: 201 with code KEY-1, status OPEN, no assignee, default priority', async () => {
    const { api, project, user } = await t.owner();
    const res = await api.post(`/projects/${project.key}/tickets`, { title: '  Fix login  ', labels: ['auth', 'auth', 'bug'] });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      code: `${project.key}-1`,
      title: 'Fix login',
      status: 'OPEN',
      priority: 'MEDIUM',
      assigneeId: null,
      reporterId: user.id,
      labels: ['auth', 'bug'],
      version: 1,
    });
    expect(res.headers.get('location')).toBe(`/tickets/${project.key}-1`);
    expect(res.headers.get('etag')).toBe('"1"');
  });

  test('50 concurrent creates in one project give 50 distinct codes KEY-1..KEY-50', async () => {
    const { api, project } = await t.owner('Burst');
    const results = await Promise.all(
      Array.from({ length: 50 }, (_, i) => api.post(`/projects/${project.id}/tickets`, { title: `ticket ${i}` })),
    );
    expect(results.map((r) => r.status)).toEqual(Array(50).fill(201));
    const codes = results.map((r) => r.body.code as string).sort((a, b) => Number(a.split('-')[1]) - Number(b.split('-')[1]));
    expect(codes).toEqual(Array.from({ length: 50 }, (_, i) => `${project.key}-${i + 1}`));
    const board = await api.get(`/projects/${project.id}/board`);
    expect(board.body.columns.OPEN).toHaveLength(50);
    // project.created was version 1; each create bumps it once.
    expect(board.body.version).toBe(51);
  });

  test('GET by UUID and by code; PATCH honours If-Match (412 on a stale version)', async () => {
    const { api, project } = await t.owner();
    const created = (await api.post(`/projects/${project.id}/tickets`, { title: 'Original', priority: 'LOW' })).body;
    const byCode = await api.get(`/tickets/${created.code}`);
    const byId = await api.get(`/tickets/${created.id}`);
    expect(byCode.status).toBe(200);
    expect(byCode.body).toEqual(byId.body);

    const patched = await api.patch(`/tickets/${created.code}`, { title: 'Renamed', priority: 'HIGH' }, { 'if-match': '"1"' });
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({ title: 'Renamed', priority: 'HIGH', version: 2 });
    expect(patched.headers.get('etag')).toBe('"2"');

    const stale = await api.patch(`/tickets/${created.code}`, { title: 'Lost update' }, { 'if-match': '"1"' });
    expect(stale.status).toBe(412);
    expect(stale.body.error).toMatchObject({ code: 'PRECONDITION_FAILED', details: { currentVersion: 2 } });
    expect((await api.get(`/tickets/${created.id}`)).body.title).toBe('Renamed');

    const unconditional = await api.patch(`/tickets/${created.id}`, { description: 'details' });
    expect(unconditional.body).toMatchObject({ description: 'details', version: 3 });

    const noop = await api.patch(`/tickets/${created.id}`, { title: 'Renamed' });
    expect(noop.body.version).toBe(3);
  });

  test('status: the workflow over HTTP, 409 with the allowed targets, assignee needed to start', async () => {
    const { api, project, user } = await t.owner();
    const ticket = (await api.post(`/projects/${project.id}/tickets`, { title: 'Flow' })).body;
    const skip = await api.patch(`/tickets/${ticket.code}/status`, { status: 'DONE' });
    expect(skip.status).toBe(409);
    expect(skip.body.error).toMatchObject({ code: 'TRANSITION_NOT_ALLOWED', details: { from: 'OPEN', to: 'DONE', allowed: ['IN_PROGRESS'] } });

    const unassigned = await api.patch(`/tickets/${ticket.code}/status`, { status: 'IN_PROGRESS' });
    expect(unassigned.status).toBe(409);
    expect(unassigned.body.error.code).toBe('ASSIGNEE_REQUIRED');

    const outsider = newUser('Stranger');
    const badAssignee = await api.patch(`/tickets/${ticket.code}`, { assigneeId: outsider.id });
    expect(badAssignee.status).toBe(422);
    expect(badAssignee.body.error.message).toContain('assigneeId');

    expect((await api.patch(`/tickets/${ticket.code}`, { assigneeId: user.id })).body.assigneeId).toBe(user.id);
    for (const status of ['IN_PROGRESS', 'REVIEW', 'IN_PROGRESS', 'REVIEW', 'DONE', 'OPEN'] as const) {
      const res = await api.patch(`/tickets/${ticket.code}/status`, { status });
      expect(res.status).toBe(200);
      expect(res.body.status).toBe(status);
    }
  });

  test('delete: 204, gone after, and its code is never reused', async () => {
    const { api, project } = await t.owner();
    const first = (await api.post(`/projects/${project.id}/tickets`, { title: 'one' })).body;
    expect((await api.delete(`/tickets/${first.code}`, { 'if-match': '"7"' })).status).toBe(412);
    expect((await api.delete(`/tickets/${first.code}`)).status).toBe(204);
    expect((await api.get(`/tickets/${first.code}`)).status).toBe(404);
    expect((await api.delete(`/tickets/${first.code}`)).status).toBe(404);
    const second = (await api.post(`/projects/${project.id}/tickets`, { title: 'two' })).body;
    expect(second.code).toBe(`${project.key}-2`);
  });

  test('delete: only the reporter or a project owner (403 NOT_REPORTER_OR_OWNER otherwise, nothing written)', async () => {
    const { api: owner, project } = await t.owner();
    const [alice, bob] = [newUser('Alice'), newUser('Bob')];
    await owner.post(`/projects/${project.id}/members`, { userId: alice.id });
    await owner.post(`/projects/${project.id}/members`, { userId: bob.id });
    const [asAlice, asBob] = [await t.as(alice), await t.as(bob)];
    const byAlice = (await asAlice.post(`/projects/${project.id}/tickets`, { title: "Alice's" })).body;
    const byBob = (await asBob.post(`/projects/${project.id}/tickets`, { title: "Bob's" })).body;
    const version = (await owner.get(`/projects/${project.id}`)).body.version;

    const refused = await asBob.delete(`/tickets/${byAlice.id}`);
    expect(refused.status).toBe(403);
    expect(refused.body.error.code).toBe('NOT_REPORTER_OR_OWNER');
    expect((await owner.get(`/tickets/${byAlice.id}`)).status).toBe(200);
    expect((await owner.get(`/projects/${project.id}`)).body.version).toBe(version);

    expect((await asAlice.delete(`/tickets/${byAlice.id}`)).status).toBe(204); // the reporter
    expect((await owner.delete(`/tickets/${byBob.code}`)).status).toBe(204); // an owner
  });

  test('non-members cannot read or write tickets (404, like a missing one)', async () => {
    const { api, project } = await t.owner();
    const ticket = (await api.post(`/projects/${project.id}/tickets`, { title: 'private' })).body;
    const stranger = await t.as(newUser('Stranger'));
    for (const res of [
      await stranger.get(`/tickets/${ticket.code}`),
      await stranger.patch(`/tickets/${ticket.id}`, { title: 'x' }),
      await stranger.patch(`/tickets/${ticket.id}/status`, { status: 'IN_PROGRESS' }),
      await stranger.delete(`/tickets/${ticket.id}`),
      await stranger.post(`/tickets/${ticket.id}/comments`, { content: 'hi' }),
      await stranger.get(`/tickets/${ticket.id}/comments`),
      await stranger.post(`/projects/${project.id}/tickets`, { title: 'x' }),
      await stranger.get(`/projects/${project.id}/board`),
      await stranger.get(`/projects/${project.id}/events`),
    ]) {
      expect(res.status).toBe(404);
      expect(res.body.error.code).toBe('NOT_FOUND');
    }
    expect((await api.get(`/tickets/${ticket.code}`)).body.title).toBe('private');
  });

  test('comments: threads, oldest first; replies must belong to the ticket', async () => {
    const { api, project } = await t.owner();
    const a = (await api.post(`/projects/${project.id}/tickets`, { title: 'a' })).body;
    const b = (await api.post(`/projects/${project.id}/tickets`, { title: 'b' })).body;
    const first = await api.post(`/tickets/${a.code}/comments`, { content: 'first' });
    expect(first.status).toBe(201);
    const second = (await api.post(`/tickets/${a.code}/comments`, { content: 'second' })).body;
    await api.post(`/tickets/${a.id}/comments`, { content: 'reply', parentId: first.body.id });
    const wrongThread = await api.post(`/tickets/${b.id}/comments`, { content: 'x', parentId: first.body.id });
    expect(wrongThread.status).toBe(422);
    expect(wrongThread.body.error.details[0].field).toBe('parentId');

    const list = await api.get(`/tickets/${a.code}/comments`);
    expect(list.body.comments.map((c: { content: string }) => c.content)).toEqual(['first', 'second']);
    expect(list.body.comments[0].replies.map((c: { content: string }) => c.content)).toEqual(['reply']);
    expect(list.body.comments[1].id).toBe(second.id);
  });

  test('event log: events after a version, in order, with resync when too old', async () => {
    const { api, project } = await t.owner();
    const ticket = (await api.post(`/projects/${project.id}/tickets`, { title: 'logged' })).body;
    await api.patch(`/tickets/${ticket.id}`, { priority: 'HIGH' });
    await api.post(`/tickets/${ticket.id}/comments`, { content: 'note' });
    const all = await api.get(`/projects/${project.id}/events?after=0`);
    expect(all.status).toBe(200);
    expect(all.body.events.map((e: { topic: string; version: number }) => [e.topic, e.version])).toEqual([
      ['project.created', 1],
      ['ticket.created', 2],
      ['ticket.updated', 3],
      ['ticket.commented', 4],
    ]);
    expect(all.body).toMatchObject({ version: 4, resync: false, hasMore: false });
    const tail = await api.get(`/projects/${project.key}/events?after=2&limit=1`);
    expect(tail.body.events.map((e: { version: number }) => e.version)).toEqual([3]);
    expect(tail.body.hasMore).toBe(true);
    expect(tail.body.events[0].data).toMatchObject({ ticketId: ticket.id, changes: { priority: { from: 'MEDIUM', to: 'HIGH' } } });
  });
});
