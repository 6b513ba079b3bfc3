/**
 * The assignment loop end to end on the real broker: a ticket created in the Ticket Service is
 * assigned by the Assignment Service by the documented rules and shows up on the ticket and the
 * board; load follows status changes and deletes.
 */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { collectEvents, type EventCollector } from '@syncro/testing';
import { expectStatus } from '@syncro/testing/typed';
import { BROKERS, eventually, startLoop, type Loop, type TypedApis } from '@syncro/assignment/harness';

let loop: Loop;
let collector: EventCollector;
beforeAll(async () => {
  collector = await collectEvents(BROKERS, ['ticket.assigned', 'ticket.updated']);
  loop = await startLoop();
}, 60_000);
afterAll(async () => {
  await collector?.stop();
  await loop?.stop();
});

type Api = TypedApis;
type CreateTicket = Parameters<ReturnType<Api['tickets']['projects']>['tickets']['post']>[0];

const create = async (api: Api, projectId: string, body: CreateTicket) => {
  const ticket = expectStatus(await api.tickets.projects({ id: projectId }).tickets.post(body), 201);
  expect(ticket.assigneeId).toBeNull(); // visibly unassigned until the assignment arrives
  return ticket;
};

const assigned = (api: Api, ticketId: string) =>
  eventually(`ticket ${ticketId} to be assigned`, async () => {
    const t = expectStatus(await api.tickets.tickets({ id: ticketId }).get(), 200);
    return t.assigneeId ? { ...t, assigneeId: t.assigneeId } : null;
  });

describe('assignment loop', () => {
  test('a new ticket gets the least loaded member; the ticket, the board and the topic show it once', async () => {
    const { project, users, typedOwner: owner } = await loop.team(3, 'Loop');
    // Everyone has load 0 and was never assigned: the lowest user id wins the tie.
    const expected = users.map((u) => u.id).sort()[0]!;
    const ticket = await create(owner, project.id, { title: 'first' });

    const shown = await assigned(owner, ticket.id);
    expect(shown.assigneeId).toBe(expected);
    expect(shown.version).toBe(2); // created at 1, assignment applied once

    const board = expectStatus(await owner.tickets.projects({ id: project.id }).board.get(), 200);
    expect(board.columns.OPEN.find((t) => t.id === ticket.id)!.assigneeId).toBe(expected);
    expect(board.version).toBe(1 + 2 + 2); // project + 2 members + create + assignment

    const events = await collector.waitFor((ms) => ms.some((m) => m.topic === 'ticket.updated' && m.value.ticketId === ticket.id));
    await Bun.sleep(300); // room for a duplicate, if there were one
    const assignedEvents = events.filter((m) => m.topic === 'ticket.assigned' && m.value.ticketId === ticket.id);
    expect(assignedEvents).toHaveLength(1);
    expect(assignedEvents[0]!.value).toMatchObject({ assigneeId: expected, projectId: project.id, strategy: 'least_loaded', previousAssigneeId: null });
    expect(assignedEvents[0]!.key).toBe(project.id);
    const updated = events.filter((m) => m.topic === 'ticket.updated' && m.value.ticketId === ticket.id);
    expect(updated).toHaveLength(1);
    expect(updated[0]!.value).toMatchObject({ changes: { assigneeId: { from: null, to: expected } }, updatedBy: null, version: 5 });

    const log = expectStatus(await owner.assign.assignment.tickets({ ticketId: ticket.code }).decisions.get(), 200);
    expect(log.decisions).toHaveLength(1);
    expect(log.decisions[0]).toMatchObject({ trigger: 'ticket.created', outcome: 'assigned', assigneeId: expected });
    expect(log.decisions[0]!.candidates.map((c) => c.rank)).toEqual([1, 2, 3]);
    expect(log.decisions[0]!.reason).toContain('lowest user id');
  });

  test('ten tickets over three members balance by weighted load; an away member gets none', async () => {
    const { project, users, typedOwner: owner } = await loop.team(4, 'Balance');
    const away = users[3]!;
    const res = await owner.assign.assignment.projects({ id: project.id }).members({ userId: away.id }).put({ awayUntil: '2999-01-01T00:00:00Z' });
    expect(expectStatus(res, 200).available).toBe(false);

    // Created one by one so each decision sees the previous ones' load: 2 URGENT (5), 8 MEDIUM (2).
    const priorities = ['URGENT', 'URGENT', ...Array<'MEDIUM'>(8).fill('MEDIUM')] as const;
    for (const [i, priority] of priorities.entries()) {
      const t = await create(owner, project.id, { title: `balance ${i}`, priority });
      await assigned(owner, t.id);
    }
    const w = expectStatus(await owner.assign.assignment.projects({ id: project.id }).workload.get(), 200);
    const byUser = new Map(w.members.map((m) => [m.userId, m]));
    expect(byUser.get(away.id)).toMatchObject({ openTickets: 0, weightedLoad: 0, available: false });
    // Worked by hand from the rules, ids sorted u0 < u1 < u2: CRIT→u0 (all 0: lowest id), CRIT→u1 (0, never
    // assigned), MED→u2 three times (0, 2, 4), then u0 and u1 tie at 5 and the least recently assigned goes
    // first: u0 (7), u1 (7), u2 (6→8), u0 (9), u1 (9).
    const sorted = users.slice(0, 3).map((u) => u.id).sort();
    const view = sorted.map((id) => byUser.get(id)!);
    expect(view.map((m) => m.weightedLoad)).toEqual([9, 9, 8]);
    expect(view.map((m) => m.openTickets)).toEqual([3, 3, 4]); // balanced by weight, not by count
  }, 60_000);

  test('specialist strategy: the member whose skills match the label gets it, even when busier', async () => {
    const { project, users, typedOwner: owner } = await loop.team(3, 'Spec');
    const [, dba, ui] = users as [unknown, { id: string }, { id: string }];
    const projects = owner.assign.assignment.projects;
    expect((await projects({ id: project.id }).strategy.put({ strategy: 'specialist' })).status).toBe(200);
    await projects({ id: project.id }).members({ userId: dba.id }).put({ skills: ['Database', 'sql'] });
    await projects({ id: project.id }).members({ userId: ui.id }).put({ skills: ['css'] });

    const first = await create(owner, project.id, { title: 'slow query', labels: ['database'], priority: 'HIGH' });
    expect((await assigned(owner, first.id)).assigneeId).toBe(dba.id);
    const second = await create(owner, project.id, { title: 'another index', labels: ['SQL'] });
    expect((await assigned(owner, second.id)).assigneeId).toBe(dba.id); // busier, but the only specialist
    const third = await create(owner, project.id, { title: 'button colour', labels: ['css'] });
    expect((await assigned(owner, third.id)).assigneeId).toBe(ui.id);

    const log = expectStatus(await owner.assign.assignment.tickets({ ticketId: second.id }).decisions.get(), 200).decisions[0]!;
    expect(log.strategy).toBe('specialist');
    expect(log.reason).toMatch(/^specialist for sql/);
    expect(log.candidates[0]).toMatchObject({ userId: dba.id, rank: 1, skillMatches: ['sql'], load: 3 });
  });

  test('ties break the same way every run: two identical projects get identical sequences', async () => {
    const sequence = async () => {
      const { project, users, typedOwner: owner } = await loop.team(3, 'Tie');
      const index = (id: string) => users.map((u) => u.id).sort().indexOf(id);
      const picks: number[] = [];
      for (let i = 0; i < 6; i++) {
        const t = await create(owner, project.id, { title: `tie ${i}` });
        picks.push(index((await assigned(owner, t.id)).assigneeId));
      }
      return picks;
    };
    const first = await sequence();
    // Equal load 0: lowest id; then the two never-assigned; then least recently assigned, round robin.
    expect(first).toEqual([0, 1, 2, 0, 1, 2]);
    expect(await sequence()).toEqual(first);
  }, 60_000);

  test('DONE releases load and a reopen adds it back; a deleted ticket leaves the load', async () => {
    const { project, users, typedOwner: owner } = await loop.team(1, 'Done');
    const me = users[0]!.id;
    const load = async () => expectStatus(await owner.assign.assignment.projects({ id: project.id }).workload.get(), 200).members[0]!;
    const a = await create(owner, project.id, { title: 'a', priority: 'HIGH' });
    const b = await create(owner, project.id, { title: 'b', priority: 'LOW' });
    await assigned(owner, a.id);
    await assigned(owner, b.id);
    expect(await load()).toMatchObject({ weightedLoad: 4, openTickets: 2 });

    for (const status of ['IN_PROGRESS', 'REVIEW', 'DONE'] as const) {
      expect((await owner.tickets.tickets({ id: a.id }).status.patch({ status })).status).toBe(200);
    }
    await eventually('DONE to release the load', async () => (await load()).weightedLoad === 1);
    expect((await owner.tickets.tickets({ id: a.id }).status.patch({ status: 'OPEN' })).status).toBe(200);
    await eventually('the reopen to add it back', async () => (await load()).weightedLoad === 4);
    expect((await owner.tickets.tickets({ id: b.id }).delete()).status).toBe(204);
    await eventually('the delete to leave the load', async () => (await load()).openTickets === 1);
    expect(await load()).toMatchObject({ weightedLoad: 3, userId: me });
  });
});
