import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { newUser } from '@syncro/testing';
import { expectStatus } from '@syncro/testing/typed';
import { startTickets, type Tickets } from '@syncro/tickets/harness';

let t: Tickets;
beforeAll(async () => {
  t = await startTickets();
});
afterAll(() => t.stop());

describe('tickets', () => {
  test('create: 201 with code KEY-1, status OPEN, no assignee, default priority', async () => {
    const { typed: api, project, user } = await t.owner();
    const res = await api.projects({ id: project.key }).tickets.post({ title: '  Fix login  ', labels: ['auth', 'auth', 'bug'] });
    expect(expectStatus(res, 201)).toMatchObject({
      code: `${project.key}-1`,
      title: 'Fix login',
      status: 'OPEN',
      priority: 'MEDIUM',
      assigneeId: null,
      reporterId: user.id,
      labels: ['auth', 'bug'],
      version: 1,
    });
    expect(res.response.headers.get('location')).toBe(`/tickets/${project.key}-1`);
    expect(res.response.headers.get('etag')).toBe('"1"');
  });

  test('50 concurrent creates in one project give 50 distinct codes KEY-1..KEY-50', async () => {
    const { typed: api, project } = await t.owner('Burst');
    const results = await Promise.all(Array.from({ length: 50 }, (_, i) => api.projects({ id: project.id }).tickets.post({ title: `ticket ${i}` })));
    expect(results.map((r) => r.status)).toEqual(Array(50).fill(201));
    const codes = results.map((r) => expectStatus(r, 201).code).sort((a, b) => Number(a.split('-')[1]) - Number(b.split('-')[1]));
    expect(codes).toEqual(Array.from({ length: 50 }, (_, i) => `${project.key}-${i + 1}`));
    const board = expectStatus(await api.projects({ id: project.id }).board.get(), 200);
    expect(board.columns.OPEN).toHaveLength(50);
    // project.created was version 1; each create bumps it once.
    expect(board.version).toBe(51);
  });

  test('GET by UUID and by code; PATCH honours If-Match (412 on a stale version)', async () => {
    const { typed: api, project } = await t.owner();
    const created = expectStatus(await api.projects({ id: project.id }).tickets.post({ title: 'Original', priority: 'LOW' }), 201);
    const byCode = expectStatus(await api.tickets({ id: created.code }).get(), 200);
    const byId = expectStatus(await api.tickets({ id: created.id }).get(), 200);
    expect(byCode).toEqual(byId);

    const patched = await api.tickets({ id: created.code }).patch({ title: 'Renamed', priority: 'HIGH' }, { headers: { 'if-match': '"1"' } });
    expect(expectStatus(patched, 200)).toMatchObject({ title: 'Renamed', priority: 'HIGH', version: 2 });
    expect(patched.response.headers.get('etag')).toBe('"2"');

    const stale = await api.tickets({ id: created.code }).patch({ title: 'Lost update' }, { headers: { 'if-match': '"1"' } });
    expect(expectStatus(stale, 412).error).toMatchObject({ code: 'PRECONDITION_FAILED', details: { currentVersion: 2 } });
    expect(expectStatus(await api.tickets({ id: created.id }).get(), 200).title).toBe('Renamed');

    const unconditional = await api.tickets({ id: created.id }).patch({ description: 'details' });
    expect(expectStatus(unconditional, 200)).toMatchObject({ description: 'details', version: 3 });

    const noop = await api.tickets({ id: created.id }).patch({ title: 'Renamed' });
    expect(expectStatus(noop, 200).version).toBe(3);
  });

  test('status: the workflow over HTTP, 409 with the allowed targets, assignee needed to start', async () => {
    const { typed: api, project, user } = await t.owner();
    const ticket = expectStatus(await api.projects({ id: project.id }).tickets.post({ title: 'Flow' }), 201);
    const skip = await api.tickets({ id: ticket.code }).status.patch({ status: 'DONE' });
    expect(expectStatus(skip, 409).error).toMatchObject({ code: 'TRANSITION_NOT_ALLOWED', details: { from: 'OPEN', to: 'DONE', allowed: ['IN_PROGRESS'] } });

    const unassigned = await api.tickets({ id: ticket.code }).status.patch({ status: 'IN_PROGRESS' });
    expect(expectStatus(unassigned, 409).error.code).toBe('ASSIGNEE_REQUIRED');

    const outsider = newUser('Stranger');
    const badAssignee = await api.tickets({ id: ticket.code }).patch({ assigneeId: outsider.id });
    expect(expectStatus(badAssignee, 422).error.message).toContain('assigneeId');

    expect(expectStatus(await api.tickets({ id: ticket.code }).patch({ assigneeId: user.id }), 200).assigneeId).toBe(user.id);
    for (const status of ['IN_PROGRESS', 'REVIEW', 'IN_PROGRESS', 'REVIEW', 'DONE', 'OPEN'] as const) {
      const res = await api.tickets({ id: ticket.code }).status.patch({ status });
      expect(expectStatus(res, 200).status).toBe(status);
    }
  });

  test('delete: 204, gone after, and its code is never reused', async () => {
    const { typed: api, project } = await t.owner();
    const first = expectStatus(await api.projects({ id: project.id }).tickets.post({ title: 'one' }), 201);
    expect((await api.tickets({ id: first.code }).delete(undefined, { headers: { 'if-match': '"7"' } })).status).toBe(412);
    expect((await api.tickets({ id: first.code }).delete()).status).toBe(204);
    expect((await api.tickets({ id: first.code }).get()).status).toBe(404);
    expect((await api.tickets({ id: first.code }).delete()).status).toBe(404);
    const second = expectStatus(await api.projects({ id: project.id }).tickets.post({ title: 'two' }), 201);
    expect(second.code).toBe(`${project.key}-2`);
  });

  test('delete: only the reporter or a project owner (403 NOT_REPORTER_OR_OWNER otherwise, nothing written)', async () => {
    const { typed: owner, project } = await t.owner();
    const [alice, bob] = [newUser('Alice'), newUser('Bob')];
    expectStatus(await owner.projects({ id: project.id }).members.post({ userId: alice.id }), 201);
    expectStatus(await owner.projects({ id: project.id }).members.post({ userId: bob.id }), 201);
    const [asAlice, asBob] = [await t.typed(alice), await t.typed(bob)];
    const byAlice = expectStatus(await asAlice.projects({ id: project.id }).tickets.post({ title: "Alice's" }), 201);
    const byBob = expectStatus(await asBob.projects({ id: project.id }).tickets.post({ title: "Bob's" }), 201);
    const version = expectStatus(await owner.projects({ id: project.id }).get(), 200).version;

    const refused = await asBob.tickets({ id: byAlice.id }).delete();
    expect(expectStatus(refused, 403).error.code).toBe('NOT_REPORTER_OR_OWNER');
    expect((await owner.tickets({ id: byAlice.id }).get()).status).toBe(200);
    expect(expectStatus(await owner.projects({ id: project.id }).get(), 200).version).toBe(version);

    expect((await asAlice.tickets({ id: byAlice.id }).delete()).status).toBe(204); // the reporter
    expect((await owner.tickets({ id: byBob.code }).delete()).status).toBe(204); // an owner
  });

  test('non-members cannot read or write tickets (404, like a missing one)', async () => {
    const { typed: api, project } = await t.owner();
    const ticket = expectStatus(await api.projects({ id: project.id }).tickets.post({ title: 'private' }), 201);
    const stranger = await t.typed(newUser('Stranger'));
    const answers = [
      await stranger.tickets({ id: ticket.code }).get(),
      await stranger.tickets({ id: ticket.id }).patch({ title: 'x' }),
      await stranger.tickets({ id: ticket.id }).status.patch({ status: 'IN_PROGRESS' }),
      await stranger.tickets({ id: ticket.id }).delete(),
      await stranger.tickets({ id: ticket.id }).comments.post({ content: 'hi' }),
      await stranger.tickets({ id: ticket.id }).comments.get(),
      await stranger.projects({ id: project.id }).tickets.post({ title: 'x' }),
      await stranger.projects({ id: project.id }).board.get(),
      await stranger.projects({ id: project.id }).events.get(),
    ];
    for (const res of answers) expect(expectStatus(res, 404).error.code).toBe('NOT_FOUND');
    expect(expectStatus(await api.tickets({ id: ticket.code }).get(), 200).title).toBe('private');
  });

  test('comments: threads, oldest first; replies must belong to the ticket', async () => {
    const { typed: api, project } = await t.owner();
    const a = expectStatus(await api.projects({ id: project.id }).tickets.post({ title: 'a' }), 201);
    const b = expectStatus(await api.projects({ id: project.id }).tickets.post({ title: 'b' }), 201);
    const first = expectStatus(await api.tickets({ id: a.code }).comments.post({ content: 'first' }), 201);
    const second = expectStatus(await api.tickets({ id: a.code }).comments.post({ content: 'second' }), 201);
    await api.tickets({ id: a.id }).comments.post({ content: 'reply', parentId: first.id });
    const wrongThread = await api.tickets({ id: b.id }).comments.post({ content: 'x', parentId: first.id });
    expect(expectStatus(wrongThread, 422).error.details).toMatchObject([{ field: 'parentId' }]);

    const list = expectStatus(await api.tickets({ id: a.code }).comments.get(), 200);
    expect(list.comments.map((c) => c.content)).toEqual(['first', 'second']);
    expect(list.comments[0]!.replies.map((c) => c.content)).toEqual(['reply']);
    expect(list.comments[1]!.id).toBe(second.id);
  });

  test('event log: events after a version, in order, with resync when too old', async () => {
    const { typed: api, project } = await t.owner();
    const ticket = expectStatus(await api.projects({ id: project.id }).tickets.post({ title: 'logged' }), 201);
    await api.tickets({ id: ticket.id }).patch({ priority: 'HIGH' });
    await api.tickets({ id: ticket.id }).comments.post({ content: 'note' });
    const all = expectStatus(await api.projects({ id: project.id }).events.get({ query: { after: 0 } }), 200);
    expect(all.events.map((e) => [e.topic, e.version])).toEqual([
      ['project.created', 1],
      ['ticket.created', 2],
      ['ticket.updated', 3],
      ['ticket.commented', 4],
    ]);
    expect(all).toMatchObject({ version: 4, resync: false, hasMore: false });
    const tail = expectStatus(await api.projects({ id: project.key }).events.get({ query: { after: 2, limit: 1 } }), 200);
    expect(tail.events.map((e) => e.version)).toEqual([3]);
    expect(tail.hasMore).toBe(true);
    expect(tail.events[0]!.data).toMatchObject({ ticketId: ticket.id, changes: { priority: { from: 'MEDIUM', to: 'HIGH' } } });
  });
});
