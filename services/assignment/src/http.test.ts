/**
 * The Assignment Service's HTTP API: every route of DESIGN.md's table, who may call it (401, 404
 * for outsiders, 403 for members lacking the right), and bad input answered with a 4xx JSON body
 * that names the field.
 */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { client, newUser, type HealthBody, type Reply } from '@syncro/testing';
import { expectStatus, type ErrorBody } from '@syncro/testing/typed';
import { eventually, startLoop, type Loop, type TypedApis } from '@syncro/assignment/harness';

let loop: Loop;
beforeAll(async () => {
  loop = await startLoop();
}, 60_000);
afterAll(() => loop?.stop());

/** The part of the OpenAPI document these tests read. */
type OpenApi = { paths: Record<string, Record<string, { responses: Record<string, { content?: Record<string, { schema: { properties: Record<string, unknown> } }> }> }>> };

type CreateTicket = Parameters<ReturnType<TypedApis['tickets']['projects']>['tickets']['post']>[0];

const assignedTicket = async (api: TypedApis, projectId: string, body: CreateTicket = { title: 'http' }) => {
  const created = expectStatus(await api.tickets.projects({ id: projectId }).tickets.post(body), 201);
  return eventually('the ticket to be assigned', async () => {
    const t = expectStatus(await api.tickets.tickets({ id: created.id }).get(), 200);
    return t.assigneeId ? { ...t, assigneeId: t.assigneeId } : null;
  });
};

/** A 4xx JSON error whose details name `field` (the raw client's reply: these send bad input). */
const expectFieldError = (res: Reply<ErrorBody>, status: number, field: string) => {
  expect(res.status).toBe(status);
  expect(res.body.error.code).toBeString();
  expect(res.body.error.message).toContain(field);
  expect((res.body.error.details as { field: string }[]).map((d) => d.field)).toContain(field);
};

describe('assignment HTTP API', () => {
  test('401 without a token; outsiders get 404 on every route, like a missing project', async () => {
    const { project, users, typedOwner: owner } = await loop.team(2, 'Guard');
    const ticket = await assignedTicket(owner, project.id);
    const anonymous = loop.typedWith().assignment;
    expect((await anonymous.projects({ id: project.id }).workload.get()).status).toBe(401);
    expect(expectStatus(await anonymous.projects({ id: project.id }).workload.get(), 401).error.code).toBe('UNAUTHORIZED');

    const outsider = (await loop.typed(newUser('Outsider'))).assign.assignment;
    const replies = await Promise.all([
      outsider.projects({ id: project.id }).workload.get(),
      outsider.projects({ id: project.id }).strategy.put({ strategy: 'specialist' }),
      outsider.projects({ id: project.key }).members({ userId: users[1]!.id }).put({ capacity: 3 }),
      outsider.tickets({ ticketId: ticket.id }).post({ assigneeId: ticket.assigneeId }),
      outsider.tickets({ ticketId: ticket.code }).auto.post(),
      outsider.tickets({ ticketId: ticket.id }).decisions.get(),
    ]);
    expect(replies.map((r) => r.status)).toEqual([404, 404, 404, 404, 404, 404]);
    expect(replies.every((r) => expectStatus(r, 404).error.code === 'NOT_FOUND')).toBe(true);
    expect((await owner.assign.assignment.projects({ id: crypto.randomUUID() }).workload.get()).status).toBe(404);
  });

  test('/health is open and reports Postgres (critical), Kafka and the consumer', async () => {
    const health = await client(loop.url).get<HealthBody>('/health');
    expect(health.status).toBe(200);
    expect(health.body).toMatchObject({ status: 'ok', checks: { postgres: 'ok', kafka: 'ok', consumer: 'ok' } });
  });

  test('workload: each member with weighted load, open tickets, availability and skills; by id or key', async () => {
    const { project, users, typedOwner: owner } = await loop.team(2, 'Work');
    const projects = owner.assign.assignment.projects;
    await projects({ id: project.id }).members({ userId: users[1]!.id }).put({ skills: ['API', 'api', 'db'], capacity: 10 });
    const ticket = await assignedTicket(owner, project.id, { title: 'w', priority: 'URGENT' });
    const byKey = expectStatus(await projects({ id: project.key }).workload.get(), 200);
    expect(byKey).toEqual(expectStatus(await projects({ id: project.id }).workload.get(), 200));
    expect(byKey).toMatchObject({ projectId: project.id, key: project.key, strategy: 'least_loaded', unassignedOpenTickets: 0 });
    const holder = byKey.members.find((m) => m.userId === ticket.assigneeId);
    expect(holder).toMatchObject({ weightedLoad: 5, openTickets: 1, available: true, awayUntil: null });
    const second = byKey.members.find((m) => m.userId === users[1]!.id);
    expect(second).toMatchObject({ skills: ['api', 'db'], capacity: 10, role: 'member' });
  });

  test('strategy: owner only (403 for a member), bad value names the field', async () => {
    const { project, typed, owner } = await loop.team(2, 'Strat');
    const [typedOwner, member] = [typed[0]!.assign.assignment, typed[1]!.assign.assignment];
    const refused = await member.projects({ id: project.id }).strategy.put({ strategy: 'specialist' });
    expect(expectStatus(refused, 403).error.code).toBe('FORBIDDEN');
    expectFieldError(await owner.assign.put(`/assignment/projects/${project.id}/strategy`, { strategy: 'random' }), 422, 'strategy');
    expectFieldError(await owner.assign.put(`/assignment/projects/${project.id}/strategy`, { strategy: 'manual' }), 422, 'strategy');
    expectFieldError(await owner.assign.put(`/assignment/projects/${project.id}/strategy`, { strategy: 'specialist', x: 1 }), 422, 'x');
    const ok = await typedOwner.projects({ id: project.id }).strategy.put({ strategy: 'specialist' });
    expect(expectStatus(ok, 200)).toEqual({ projectId: project.id, key: project.key, strategy: 'specialist' });
    expect(expectStatus(await member.projects({ id: project.id }).workload.get(), 200).strategy).toBe('specialist');
  });

  test('member settings: the owner for anyone, a member for themself only; bad input names the field', async () => {
    const { project, users, typed, owner } = await loop.team(3, 'Settings');
    const [ownerUser, m1, m2] = [users[0]!, users[1]!, users[2]!];
    const path = (id: string) => `/assignment/projects/${project.id}/members/${id}`;
    const settings = (api: TypedApis, userId: string) => api.assign.assignment.projects({ id: project.id }).members({ userId });
    const [typedOwner, typedM1] = [typed[0]!, typed[1]!];
    expect((await settings(typedOwner, m1.id).put({ capacity: 4 })).status).toBe(200);
    const self = await settings(typedM1, m1.id).put({ awayUntil: '2999-12-31T00:00:00Z', skills: ['Go'] });
    expect(expectStatus(self, 200)).toMatchObject({ userId: m1.id, capacity: 4, available: false, awayUntil: '2999-12-31T00:00:00.000Z', skills: ['go'] });
    const other = await settings(typedM1, m2.id).put({ capacity: 1 });
    expect(other.status).toBe(403);
    expect((await settings(typedM1, ownerUser.id).put({ capacity: 1 })).status).toBe(403);
    // Back from away, limit lifted.
    expect(expectStatus(await settings(typedM1, m1.id).put({ awayUntil: null, capacity: null }), 200)).toMatchObject({ available: true, capacity: null });

    expect((await settings(typedOwner, crypto.randomUUID()).put({ capacity: 2 })).status).toBe(404);
    expectFieldError(await owner.assign.put(path('not-a-uuid'), { capacity: 2 }), 400, 'userId');
    expectFieldError(await owner.assign.put(path(m1.id), { capacity: 0 }), 422, 'capacity');
    expectFieldError(await owner.assign.put(path(m1.id), { capacity: 2.5 }), 422, 'capacity');
    expectFieldError(await owner.assign.put(path(m1.id), { capacity: '3' }), 422, 'capacity');
    expectFieldError(await owner.assign.put(path(m1.id), { awayUntil: 'next tuesday' }), 422, 'awayUntil');
    // Shaped like times, but no such instant: refused, not a 500 (year 0) nor stored as March 3.
    for (const awayUntil of ['0000-01-01T00:00:00Z', '2030-02-31T00:00:00Z', '2031-02-29T09:00:00Z', '2030-04-31T00:00:00Z', '0001-01-01T00:30:00+01:00']) {
      expectFieldError(await owner.assign.put(path(m1.id), { awayUntil }), 422, 'awayUntil');
    }
    const workload = expectStatus(await typedOwner.assign.assignment.projects({ id: project.id }).workload.get(), 200);
    expect(workload.members.find((m) => m.userId === m1.id)!.awayUntil).toBeNull(); // nothing written
    expect(expectStatus(await settings(typedOwner, m1.id).put({ awayUntil: '2032-02-29T09:00:00+02:00' }), 200).awayUntil).toBe('2032-02-29T07:00:00.000Z');
    expect(expectStatus(await settings(typedOwner, m1.id).put({ awayUntil: null }), 200).awayUntil).toBeNull();
    expectFieldError(await owner.assign.put(path(m1.id), { skills: 'go' }), 422, 'skills');
    expectFieldError(await owner.assign.put(path(m1.id), { skills: [''] }), 422, 'skills.0');
    expectFieldError(await owner.assign.put(path(m1.id), { favourite: 'tea' }), 422, 'favourite');
    const empty: Reply<ErrorBody> = await owner.assign.put(path(m1.id), {});
    expect(empty.status).toBe(422);
    expect(empty.body.error.message).toContain('name at least one');
    const malformed: Reply<ErrorBody> = await owner.assign.raw('PUT', path(m1.id), '{"capacity":', { 'content-type': 'application/json' });
    expect(malformed.status).toBeGreaterThanOrEqual(400);
    expect(malformed.status).toBeLessThan(500);
    expect(malformed.body.error.code).toBeString();
  });

  test('manual assignment: 202 with the decision, the ticket follows; non-member assignee is 422 naming assigneeId', async () => {
    const { project, users, typed, owner } = await loop.team(3, 'Manual');
    const typedOwner = typed[0]!;
    const ticket = await assignedTicket(typedOwner, project.id);
    const target = users.find((u) => u.id !== ticket.assigneeId)!;
    await typedOwner.assign.assignment.projects({ id: project.id }).members({ userId: target.id }).put({ awayUntil: '2999-01-01T00:00:00Z' });

    const decision = expectStatus(await typed[2]!.assign.assignment.tickets({ ticketId: ticket.code }).post({ assigneeId: target.id }), 202);
    expect(decision).toMatchObject({ trigger: 'manual', strategy: 'manual', outcome: 'assigned', assigneeId: target.id, previousAssigneeId: ticket.assigneeId, decidedBy: users[2]!.id });
    expect(decision.reason).toContain('overriding the rules: away until'); // manual may choose an away member
    await eventually('the manual assignment on the ticket', async () => expectStatus(await typedOwner.tickets.tickets({ id: ticket.id }).get(), 200).assigneeId === target.id);

    expectFieldError(await owner.assign.post(`/assignment/tickets/${ticket.id}`, { assigneeId: newUser().id }), 422, 'assigneeId');
    expectFieldError(await owner.assign.post(`/assignment/tickets/${ticket.id}`, { assigneeId: 'bob' }), 422, 'assigneeId');
    expectFieldError(await owner.assign.post(`/assignment/tickets/${ticket.id}`, {}), 422, 'assigneeId');
    expectFieldError(await owner.assign.post(`/assignment/tickets/not-a-ticket`, { assigneeId: target.id }), 400, 'ticketId');
    expect((await typedOwner.assign.assignment.tickets({ ticketId: crypto.randomUUID() }).post({ assigneeId: target.id })).status).toBe(404);
  });

  test('auto re-run: 202 and the rules decide again; nobody eligible is 200 "unassigned" and keeps the assignee; DONE is 409', async () => {
    const { project, users, typedOwner: owner } = await loop.team(2, 'Auto');
    const ticket = await assignedTicket(owner, project.id);
    const other = users.find((u) => u.id !== ticket.assigneeId)!;
    const away = (userId: string) => owner.assign.assignment.projects({ id: project.id }).members({ userId }).put({ awayUntil: '2999-01-01T00:00:00Z' });
    const rerun = () => owner.assign.assignment.tickets({ ticketId: ticket.id }).auto.post();
    // The holder goes away: a re-run moves the ticket to the other member.
    await away(ticket.assigneeId);
    const moved = expectStatus(await rerun(), 202);
    expect(moved).toMatchObject({ trigger: 'auto', outcome: 'assigned', assigneeId: other.id, previousAssigneeId: ticket.assigneeId });
    await eventually('the re-run on the ticket', async () => expectStatus(await owner.tickets.tickets({ id: ticket.id }).get(), 200).assigneeId === other.id);

    await away(other.id);
    const nobody = expectStatus(await rerun(), 200);
    expect(nobody).toMatchObject({ outcome: 'unassigned', assigneeId: null });
    expect(nobody.reason).toStartWith('nobody eligible');
    expect(nobody.candidates.every((c) => c.excluded?.startsWith('away until'))).toBe(true);

    for (const status of ['IN_PROGRESS', 'REVIEW', 'DONE'] as const) await owner.tickets.tickets({ id: ticket.id }).status.patch({ status });
    const done = await eventually('DONE to reach the projection', async () => {
      const r = await rerun();
      return r.status === 409 ? r : null;
    });
    expect(expectStatus(done, 409).error.code).toBe('TICKET_DONE');
  });

  test('decision log: every decision oldest first, candidates with why; nobody eligible at creation is recorded', async () => {
    const { project, users, typedOwner: owner } = await loop.team(2, 'Log');
    const assignment = owner.assign.assignment;
    for (const u of users) await assignment.projects({ id: project.id }).members({ userId: u.id }).put({ awayUntil: '2999-01-01T00:00:00Z' });
    const created = expectStatus(await owner.tickets.projects({ id: project.id }).tickets.post({ title: 'nobody home' }), 201);
    const log = await eventually('the unassigned decision', async () => {
      const r = await assignment.tickets({ ticketId: created.code }).decisions.get();
      return r.data?.decisions.length === 1 ? r.data : null;
    });
    expect(log).toMatchObject({ ticketId: created.id, code: created.code, assigneeId: null });
    expect(log.decisions[0]).toMatchObject({ trigger: 'ticket.created', outcome: 'unassigned', assigneeId: null });
    expect(log.decisions[0]!.candidates.map((c) => c.userId)).toEqual(users.map((u) => u.id).sort());
    expect(expectStatus(await owner.tickets.tickets({ id: created.id }).get(), 200).assigneeId).toBeNull(); // stays unassigned
    expect(expectStatus(await assignment.projects({ id: project.id }).workload.get(), 200).unassignedOpenTickets).toBe(1);

    await assignment.tickets({ ticketId: created.id }).post({ assigneeId: users[1]!.id });
    const after = expectStatus(await assignment.tickets({ ticketId: created.id }).decisions.get(), 200);
    expect(after.decisions.map((d) => d.trigger)).toEqual(['ticket.created', 'manual']);
    expect(after.assigneeId).toBe(users[1]!.id);
  });

  test('/openapi documents every assignment route\'s answers per status, with their fields', async () => {
    const doc = (await client(loop.url).get<OpenApi>('/openapi')).body;
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
      const content = doc.paths[path]?.[method]?.responses[status]?.content ?? {};
      return Object.values(content)[0]!.schema;
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
