/**
 * The loop under at-least-once delivery and outages, on the real broker: a redelivered
 * `ticket.created` never counts twice, the Assignment Service stopped during creates assigns them
 * all when it is back, and a manual assignment is not undone by an older automatic one.
 */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { EventHeader, SCHEMA_VERSION } from '@syncro/contracts';
import { createKafkaBus, type EventBus } from '@syncro/kit/bus';
import { createLogger } from '@syncro/kit/log';
import { collectEvents, type EventCollector } from '@syncro/testing';
import { expectStatus } from '@syncro/testing/typed';
import { BROKERS, eventually, startLoop, type Loop, type TypedApis } from '@syncro/assignment/harness';

let loop: Loop;
let collector: EventCollector;
let bus: EventBus;
beforeAll(async () => {
  collector = await collectEvents(BROKERS, ['ticket.created', 'ticket.assigned']);
  loop = await startLoop();
  bus = createKafkaBus({ brokers: BROKERS, clientId: 'resilience-test', logger: createLogger({ test: 'resilience' }) });
}, 60_000);
afterAll(async () => {
  await bus?.close();
  await collector?.stop();
  await loop?.stop();
});

type Api = TypedApis;

const assigneeOf = async (api: Api, id: string) => expectStatus(await api.tickets.tickets({ id }).get(), 200);
const createTicket = async (api: Api, projectId: string, title: string, priority?: 'HIGH') =>
  expectStatus(await api.tickets.projects({ id: projectId }).tickets.post({ title, priority }), 201);
const decisionsOf = async (api: Api, ticketId: string) => expectStatus(await api.assign.assignment.tickets({ ticketId }).decisions.get(), 200);
const workloadOf = async (api: Api, projectId: string) => expectStatus(await api.assign.assignment.projects({ id: projectId }).workload.get(), 200);
const assigned = (api: Api, id: string) => eventually(`ticket ${id} assigned`, async () => ((await assigneeOf(api, id)).assigneeId ? assigneeOf(api, id) : null));
const messagesOf = (topic: string, ticketId: string) => collector.messages.filter((m) => m.topic === topic && m.value.ticketId === ticketId);

describe('assignment resilience', () => {
  test('a redelivered ticket.created is not assigned or counted again', async () => {
    const { project, typedOwner: owner } = await loop.team(2, 'Dup');
    const first = await createTicket(owner, project.id, 'once', 'HIGH');
    const holder = (await assigned(owner, first.id)).assigneeId;
    const [original] = await eventually('the ticket.created on the wire', async () => {
      const ms = messagesOf('ticket.created', first.id);
      return ms.length ? ms : null;
    });
    // The broker delivers it again, twice (a consumer crash before its commit looks like this).
    const again = { topic: 'ticket.created', key: original!.key ?? '', value: original!.raw, headers: original!.headers };
    await bus.publish([again, again]);
    // Same key, same partition: once this later ticket is assigned, the copies have been consumed.
    const marker = await createTicket(owner, project.id, 'marker');
    await assigned(owner, marker.id);

    const log = await decisionsOf(owner, first.id);
    expect(log.decisions).toHaveLength(1);
    const workload = await workloadOf(owner, project.id);
    const loads = Object.fromEntries(workload.members.map((m) => [m.userId, m.weightedLoad]));
    expect(loads[holder!]).toBe(3); // the HIGH ticket once; the MEDIUM marker went to the other member
    expect(workload.members.reduce((n, m) => n + m.openTickets, 0)).toBe(2);
    expect((await assigneeOf(owner, first.id)).version).toBe(2);
    await Bun.sleep(300); // room for a second ticket.assigned, if there were one
    expect(messagesOf('ticket.assigned', first.id)).toHaveLength(1);
  });

  test('Assignment Service down during 20 creates: the tickets stay unassigned, then all are assigned once it is back', async () => {
    const { project, users, typedOwner: owner } = await loop.team(3, 'Outage');
    await loop.down();
    const created: { id: string }[] = [];
    for (let i = 0; i < 20; i += 5) {
      const batch = await Promise.all(
        Array.from({ length: 5 }, (_, j) => owner.tickets.projects({ id: project.id }).tickets.post({ title: `during ${i + j}` })),
      );
      expect(batch.map((r) => r.status)).toEqual(Array(5).fill(201));
      created.push(...batch.map((r) => expectStatus(r, 201)));
    }
    // The board works without the Assignment Service; nothing can assign meanwhile.
    const board = expectStatus(await owner.tickets.projects({ id: project.id }).board.get(), 200);
    expect(board.columns.OPEN).toHaveLength(20);
    expect(board.columns.OPEN.every((t) => t.assigneeId === null)).toBe(true);

    await loop.up();
    await eventually(
      'all 20 assigned after the restart',
      async () => (await Promise.all(created.map((t) => assigneeOf(owner, t.id)))).every((t) => t.assigneeId),
      30_000,
    );
    // Twenty MEDIUM tickets in creation order over three fresh members: round robin, 7 + 7 + 6.
    const workload = await workloadOf(owner, project.id);
    const counts = users.map((u) => u.id).sort().map((id) => workload.members.find((m) => m.userId === id)!.openTickets);
    expect(counts).toEqual([7, 7, 6]);
    await collector.waitFor(() => created.every((t) => messagesOf('ticket.assigned', t.id).length >= 1));
    expect(created.map((t) => messagesOf('ticket.assigned', t.id).length)).toEqual(Array(20).fill(1));
  }, 60_000);

  test('a manual assignment stands against an older automatic one that arrives after it', async () => {
    const { project, users, typedOwner: owner } = await loop.team(2, 'Override');
    const ticket = await createTicket(owner, project.id, 'contested');
    const auto = (await assigned(owner, ticket.id)).assigneeId!;
    const other = users.find((u) => u.id !== auto)!.id;
    const manual = expectStatus(await owner.assign.assignment.tickets({ ticketId: ticket.id }).post({ assigneeId: other }), 202);
    await eventually('the manual assignment', async () => (await assigneeOf(owner, ticket.id)).assigneeId === other);
    const version = (await assigneeOf(owner, ticket.id)).version;

    // The automatic decision, as a late (re)delivery: decided before the manual one, arriving after it.
    const autoEvent = messagesOf('ticket.assigned', ticket.id).find((m) => m.value.strategy === 'least_loaded')!;
    expect(new Date(autoEvent.value.assignedAt).getTime()).toBeLessThan(new Date(manual.decidedAt).getTime());
    const late = { ...autoEvent.value, eventId: Bun.randomUUIDv7(), timestamp: new Date().toISOString() };
    await bus.publish([
      {
        topic: 'ticket.assigned',
        key: project.id,
        value: JSON.stringify(late),
        headers: { [EventHeader.id]: late.eventId, [EventHeader.type]: 'ticket.assigned', [EventHeader.schemaVersion]: SCHEMA_VERSION },
      },
    ]);
    // A later assignment of another ticket of the project (same partition) shows the late one was consumed.
    const marker = await createTicket(owner, project.id, 'marker');
    await assigned(owner, marker.id);
    await eventually('the late event to be consumed', async () => messagesOf('ticket.assigned', marker.id).length > 0);
    await Bun.sleep(200);

    expect(await assigneeOf(owner, ticket.id)).toMatchObject({ assigneeId: other, version });
    // The Assignment Service agrees: its projection still holds the manual choice, and the load follows it.
    const log = await decisionsOf(owner, ticket.id);
    expect(log.assigneeId).toBe(other);
    expect(log.decisions.map((d) => d.trigger)).toEqual(['ticket.created', 'manual']);
  });
});
