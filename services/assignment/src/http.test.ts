/**
 * The Assignment Service's HTTP API: every route of DESIGN.md's table, who may call it (401, 404
 * for outsiders, 403 for members lacking the right), and bad input answered with a 4xx JSON body
 * that names the field.
 */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { client, newUser } from '@syncro/testing';
import { eventually, startLoop, type Loop } from '@syncro/assignment/harness';

let loop: Loop;
beforeAll(async () => {
  loop = await startLoop();
}, 60_000);
afterAll(() => loop?.stop());

type Api = Awaited<ReturnType<Loop['as']>>;

const assignedTicket = async (api: Api, projectId: string, body: Record<string, unknown> = { title: 'http' }) => {
  const created = (await api.tickets.post(`/projects/${projectId}/tickets`, body)).body as { id: string; code: string };
  return eventually('the ticket to be assigned', async () => {
    const t = await api.tickets.get(`/tickets/${created.id}`);
    return t.body.assigneeId ? (t.body as { id: string; code: string; assigneeId: string }) : null;
  });
};

/** A 4xx JSON error whose details name `field`. */
const expectFieldError = (res: { status: number; body: any }, status: number, field: string) => {
  expect(res.status).toBe(status);
  expect(res.body.error.code).toBeString();
  expect(res.body.error.message).toContain(field);
  expect(res.body.error.details.map((d: { field: string }) => d.field)).toContain(field);
};

describe('assignment HTTP API', () => {
  test('401 without a token; outsiders get 404 on every route, like a missing project', async () => {
    const { project, users, owner } = await loop.team(2, 'Guard');
    const ticket = await assignedTicket(owner, project.id);
    const anonymous = client(loop.url);
    expect((await anonymous.get(`/assignment/projects/${project.id}/workload`)).status).toBe(401);
    expect((await anonymous.get(`/assignment/projects/${project.id}/workload`)).body.error.code).toBe('UNAUTHORIZED');

    const outsider = (await loop.as(newUser('Outsider'))).assign;
    const replies = await Promise.all([
      outsider.get(`/assignment/projects/${project.id}/workload`),
      outsider.put(`/assignment/projects/${project.id}/strategy`, { strategy: 'specialist' }),
      outsider.put(`/assignment/projects/${project.key}/members/${users[1]!.id}`, { capacity: 3 }),
      outsider.post(`/assignment/tickets/${ticket.id}`, { assigneeId: ticket.assigneeId }),
      outsider.post(`/assignment/tickets/${ticket.code}/auto`),
      outsider.get(`/assignment/tickets/${ticket.id}/decisions`),
    ]);
    expect(replies.map((r) => r.status)).toEqual([404, 404, 404, 404, 404, 404]);
    expect(replies.every((r) => r.body.error.code === 'NOT_FOUND')).toBe(true);
    expect((await owner.assign.get(`/assignment/projects/${crypto.randomUUID()}/workload`)).status).toBe(404);
  });

  test('/health is open and reports Postgres (critical), Kafka and the consumer', async () => {
    const health = await client(loop.url).get('/health');
    expect(health.status).toBe(200);
    expect(health.body).toMatchObject({ status: 'ok', checks: { postgres: 'ok', kafka: 'ok', consumer: 'ok' } });
  });

  test('workload: each member with weighted load, open tickets, availability and skills; by id or key', async () => {
    const { project, users, owner } = await loop.team(2, 'Work');
    await owner.assign.put(`/assignment/projects/${project.id}/members/${users[1]!.id}`, { skills: ['API', 'api', 'db'], capacity: 10 });
    const ticket = await assignedTicket(owner, project.id, { title: 'w', priority: 'URGENT' });
    const byKey = await owner.assign.get(`/assignment/projects/${project.key}/workload`);
    expect(byKey.status).toBe(200);
    expect(byKey.body).toEqual((await owner.assign.get(`/assignment/projects/${project.id}/workload`)).body);
    expect(byKey.body).toMatchObject({ projectId: project.id, key: project.key, strategy: 'least_loaded', unassignedOpenTickets: 0 });
    const holder = byKey.body.members.find((m: { userId: string }) => m.userId === ticket.assigneeId);
    expect(holder).toMatchObject({ weightedLoad: 5, openTickets: 1, available: true, awayUntil: null });
    const second = byKey.body.members.find((m: { userId: string }) => m.userId === users[1]!.id);
    expect(second).toMatchObject({ skills: ['api', 'db'], capacity: 10, role: 'member' });
  });

  test('strategy: owner only (403 for a member), bad value names the field', async () => {
    const { project, apis, owner } = await loop.team(2, 'Strat');
    const member = apis[1]!;
    const refused = await member.assign.put(`/assignment/projects/${project.id}/strategy`, { strategy: 'specialist' });
    expect(refused.status).toBe(403);
    expect(refused.body.error.code).toBe('FORBIDDEN');
    expectFieldError(await owner.assign.put(`/assignment/projects/${project.id}/strategy`, { strategy: 'random' }), 422, 'strategy');
    expectFieldError(await owner.assign.put(`/assignment/projects/${project.id}/strategy`, { strategy: 'manual' }), 422, 'strategy');
    expectFieldError(await owner.assign.put(`/assignment/projects/${project.id}/strategy`, { strategy: 'specialist', x: 1 }), 422, 'x');
    const ok = await owner.assign.put(`/assignment/projects/${project.id}/strategy`, { strategy: 'specialist' });
    expect(ok.status).toBe(200);
    expect(ok.body).toEqual({ projectId: project.id, key: project.key, strategy: 'specialist' });
    expect((await member.assign.get(`/assignment/projects/${project.id}/workload`)).body.strategy).toBe('specialist');
  });

  test('member settings: the owner for anyone, a member for themself only; bad input names the field', async () => {
    const { project, users, apis, owner } = await loop.team(3, 'Settings');
    const [ownerUser, m1, m2] = [users[0]!, users[1]!, users[2]!];
    const path = (id: string) => `/assignment/projects/${project.id}/members/${id}`;
    expect((await owner.assign.put(path(m1.id), { capacity: 4 })).status).toBe(200);
    const self = await apis[1]!.assign.put(path(m1.id), { awayUntil: '2999-12-31T00:00:00Z', skills: ['Go'] });
    expect(self.status).toBe(200);
    expect(self.body).toMatchObject({ userId: m1.id, capacity: 4, available: false, awayUntil: '2999-12-31T00:00:00.000Z', skills: ['go'] });
    const other = await apis[1]!.assign.put(path(m2.id), { capacity: 1 });
    expect(other.status).toBe(403);
    expect((await apis[1]!.assign.put(path(ownerUser.id), { capacity: 1 })).status).toBe(403);
    // Back from away, limit lifted.
    expect((await apis[1]!.assign.put(path(m1.id), { awayUntil: null, capacity: null })).body).toMatchObject({ available: true, capacity: null });

    expect((await owner.assign.put(path(crypto.randomUUID()), { capacity: 2 })).status).toBe(404);
    expectFieldError(await owner.assign.put(path('not-a-uuid'), { capacity: 2 }), 400, 'userId');
    expectFieldError(await owner.assign.put(path(m1.id), { capacity: 0 }), 422, 'capacity');
    expectFieldError(await owner.assign.put(path(m1.id), { capacity: 2.5 }), 422, 'capacity');
    expectFieldError(await owner.assign.put(path(m1.id), { capacity: '3' }), 422, 'capacity');
    expectFieldError(await owner.assign.put(path(m1.id), { awayUntil: 'next tuesday' }), 422, 'awayUntil');
    // Shaped like times, but no such instant: refused, not a 500 (year 0) nor stored as March 3.
    for (const awayUntil of ['0000-01-01T00:00:00Z', '2030-02-31T00:00:00Z', '2031-02-29T09:00:00Z', '2030-04-31T00:00:00Z', '0001-01-01T00:30:00+01:00']) {
      expectFieldError(await owner.assign.put(path(m1.id), { awayUntil }), 422, 'awayUntil');
    }
    const workload = (await owner.assign.get(`/assignment/projects/${project.id}/workload`)).body;
    expect(workload.members.find((m: { userId: string }) => m.userId === m1.id).awayUntil).toBeNull(); // nothing written
    expect((await owner.assign.put(path(m1.id), { awayUntil: '2032-02-29T09:00:00+02:00' })).body.awayUntil).toBe('2032-02-29T07:00:00.000Z');
    expect((await owner.assign.put(path(m1.id), { awayUntil: null })).body.awayUntil).toBeNull();
    expectFieldError(await owner.assign.put(path(m1.id), { skills: 'go' }), 422, 'skills');
    expectFieldError(await owner.assign.put(path(m1.id), { skills: [''] }), 422, 'skills.0');
    expectFieldError(await owner.assign.put(path(m1.id), { favourite: 'tea' }), 422, 'favourite');
    const empty = await owner.assign.put(path(m1.id), {});
    expect(empty.status).toBe(422);
    expect(empty.body.error.message).toContain('name at least one');
    const malformed = await owner.assign.raw('PUT', path(m1.id), '{"capacity":', { 'content-type': 'application/json' });
    expect(malformed.status).toBeGreaterThanOrEqual(400);
    expect(malformed.status).toBeLessThan(500);
    expect(malformed.body.error.code).toBeString();
  });

  test('manual assignment: 202 with the decision, the ticket follows; non-member assignee is 422 naming assigneeId', async () => {
    const { project, users, apis, owner } = await loop.team(3, 'Manual');
    const ticket = await assignedTicket(owner, project.id);
    const target = users.find((u) => u.id !== ticket.assigneeId)!;
    await owner.assign.put(`/assignment/projects/${project.id}/members/${target.id}`, { awayUntil: '2999-01-01T00:00:00Z' });

    const res = await apis[2]!.assign.post(`/assignment/tickets/${ticket.code}`, { assigneeId: target.id });
    expect(res.status).toBe(202);
    expect(res.body).toMatchObject({ trigger: 'manual', strategy: 'manual', outcome: 'assigned', assigneeId: target.id, previousAssigneeId: ticket.assigneeId, decidedBy: users[2]!.id });
    expect(res.body.reason).toContain('overriding the rules: away until'); // manual may choose an away member
    await eventually('the manual assignment on the ticket', async () => (await owner.tickets.get(`/tickets/${ticket.id}`)).body.assigneeId === target.id);

    expectFieldError(await owner.assign.post(`/assignment/tickets/${ticket.id}`, { assigneeId: newUser().id }), 422, 'assigneeId');
    expectFieldError(await owner.assign.post(`/assignment/tickets/${ticket.id}`, { assigneeId: 'bob' }), 422, 'assigneeId');
    expectFieldError(await owner.assign.post(`/assignment/tickets/${ticket.id}`, {}), 422, 'assigneeId');
    expectFieldError(await owner.assign.post(`/assignment/tickets/not-a-ticket`, { assigneeId: target.id }), 400, 'ticketId');
    expect((await owner.assign.post(`/assignment/tickets/${crypto.randomUUID()}`, { assigneeId: target.id })).status).toBe(404);
  });

  test('auto re-run: 202 and the rules decide again; nobody eligible is 200 "unassigned" and keeps the assignee; DONE is 409', async () => {
    const { project, users, owner } = await loop.team(2, 'Auto');
    const ticket = await assignedTicket(owner, project.id);
    const other = users.find((u) => u.id !== ticket.assigneeId)!;
    // The holder goes away: a re-run moves the ticket to the other member.
    await owner.assign.put(`/assignment/projects/${project.id}/members/${ticket.assigneeId}`, { awayUntil: '2999-01-01T00:00:00Z' });
    const moved = await owner.assign.post(`/assignment/tickets/${ticket.id}/auto`);
    expect(moved.status).toBe(202);
    expect(moved.body).toMatchObject({ trigger: 'auto', outcome: 'assigned', assigneeId: other.id, previousAssigneeId: ticket.assigneeId });
    await eventually('the re-run on the ticket', async () => (await owner.tickets.get(`/tickets/${ticket.id}`)).body.assigneeId === other.id);

    await owner.assign.put(`/assignment/projects/${project.id}/members/${other.id}`, { awayUntil: '2999-01-01T00:00:00Z' });
    const nobody = await owner.assign.post(`/assignment/tickets/${ticket.id}/auto`);
    expect(nobody.status).toBe(200);
    expect(nobody.body).toMatchObject({ outcome: 'unassigned', assigneeId: null });
    expect(nobody.body.reason).toStartWith('nobody eligible');
    expect(nobody.body.candidates.every((c: { excluded: string }) => c.excluded.startsWith('away until'))).toBe(true);

    for (const status of ['IN_PROGRESS', 'REVIEW', 'DONE']) await owner.tickets.patch(`/tickets/${ticket.id}/status`, { status });
    const done = await eventually('DONE to reach the projection', async () => {
      const r = await owner.assign.post(`/assignment/tickets/${ticket.id}/auto`);
      return r.status === 409 ? r : null;
    });
    expect(done.body.error.code).toBe('TICKET_DONE');
  });

  test('decision log: every decision oldest first, candidates with why; nobody eligible at creation is recorded', async () => {
    const { project, users, owner } = await loop.team(2, 'Log');
    for (const u of users) await owner.assign.put(`/assignment/projects/${project.id}/members/${u.id}`, { awayUntil: '2999-01-01T00:00:00Z' });
    const created = (await owner.tickets.post(`/projects/${project.id}/tickets`, { title: 'nobody home' })).body;
    const log = await eventually('the unassigned decision', async () => {
      const r = await owner.assign.get(`/assignment/tickets/${created.code}/decisions`);
      return r.status === 200 && r.body.decisions.length === 1 ? r.body : null;
    });
    expect(log).toMatchObject({ ticketId: created.id, code: created.code, assigneeId: null });
    expect(log.decisions[0]).toMatchObject({ trigger: 'ticket.created', outcome: 'unassigned', assigneeId: null });
    expect(log.decisions[0].candidates.map((c: { userId: string }) => c.userId)).toEqual(users.map((u) => u.id).sort());
    expect((await owner.tickets.get(`/tickets/${created.id}`)).body.assigneeId).toBeNull(); // stays unassigned
    expect((await owner.assign.get(`/assignment/projects/${project.id}/workload`)).body.unassignedOpenTickets).toBe(1);

    await owner.assign.post(`/assignment/tickets/${created.id}`, { assigneeId: users[1]!.id });
    const after = (await owner.assign.get(`/assignment/tickets/${created.id}/decisions`)).body;
    expect(after.decisions.map((d: { trigger: string }) => d.trigger)).toEqual(['ticket.created', 'manual']);
    expect(after.assigneeId).toBe(users[1]!.id);
  });

  test('/openapi documents every assignment route\'s answers per status, with their fields', async () => {
    const doc = (await client(loop.url).get('/openapi')).body;
    const routes: [string, string, string[]][] = [
      ['/assignment/projects/{id}/workload', 'get', ['200', '401', '404']],
      ['/assignment/projects/{id}/strategy', 'put', ['200', '403', '404', '422']],
      ['/assignment/projects/{id}/members/{userId}', 'put', ['200', '403', '404', '422']],
      ['/assignment/tickets/{ticketId}', 'post', ['202', '404', '422']],
      ['/assignment/tickets/{ticketId}/auto', 'post', ['200', '202', '409']],
      ['/assignment/tickets/{ticketId}/decisions', 'get', ['200', '404']],
    ];
    for (const [path, method, statuses] of routes) {
      const responses = doc.paths[path]?.[method]?.responses ?? {};
      expect(Object.keys(responses), `${method} ${path}`).toEqual(expect.arrayContaining(statuses));
    }
    const schemaOf = (path: string, method: string, status: string) => {
      const content = doc.paths[path][method].responses[status].content;
      return (Object.values(content)[0] as { schema: { properties: Record<string, unknown> } }).schema;
    };
    expect(Object.keys(schemaOf('/assignment/tickets/{ticketId}/decisions', 'get', '200').properties)).toEqual(
      expect.arrayContaining(['ticketId', 'code', 'assigneeId', 'assignedAt', 'decisions']),
    );
    expect(Object.keys(schemaOf('/assignment/projects/{id}/workload', 'get', '200').properties)).toEqual(
      expect.arrayContaining(['projectId', 'members', 'unassignedOpenTickets']),
    );
    expect(Object.keys(schemaOf('/assignment/tickets/{ticketId}', 'post', '404').properties)).toEqual(['error']);
  });
});
