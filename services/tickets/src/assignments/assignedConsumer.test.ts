/**
 * The Ticket Service's side of the loop, driven by publishing `ticket.assigned` straight to the
 * real broker: applied once in one transaction (ticket, versions, board cache, `ticket.updated`),
 * the newest assignment wins, and poison goes to the DLQ while the next message is applied.
 */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { EventHeader, SCHEMA_VERSION } from '@syncro/contracts';
import { DlqHeader, createKafkaBus, type EventBus } from '@syncro/kit/bus';
import { createLogger } from '@syncro/kit/log';
import { collectEvents, newUser, type EventCollector, eventually } from '@syncro/testing';
import { expectStatus } from '@syncro/testing/typed';
import { BROKERS, startTickets, type Tickets } from '@syncro/tickets/harness';

let t: Tickets;
let bus: EventBus;
let collector: EventCollector;
beforeAll(async () => {
  collector = await collectEvents(BROKERS, ['ticket.updated', 'ticket.assigned.dlq']);
  t = await startTickets();
  bus = createKafkaBus({ brokers: BROKERS, clientId: 'assigned-test', logger: createLogger({ test: 'assigned' }) });
}, 60_000);
afterAll(async () => {
  await bus?.close();
  await collector?.stop();
  await t?.stop();
});

/** Publishes a value to `ticket.assigned` as the Assignment Service's relay would. */
async function publish(projectId: string, value: unknown, eventId: string = Bun.randomUUIDv7()) {
  await bus.publish([
    {
      topic: 'ticket.assigned',
      key: projectId,
      value: typeof value === 'string' ? value : JSON.stringify(value),
      headers: { [EventHeader.id]: eventId, [EventHeader.type]: 'ticket.assigned', [EventHeader.schemaVersion]: SCHEMA_VERSION },
    },
  ]);
}

const assignment = (ticket: { id: string; projectId: string }, assigneeId: string, assignedAt = new Date(), extra: object = {}) => ({
  ticketId: ticket.id,
  assigneeId,
  assignedAt: assignedAt.toISOString(),
  projectId: ticket.projectId,
  strategy: 'least_loaded',
  previousAssigneeId: null,
  eventId: Bun.randomUUIDv7(),
  timestamp: new Date().toISOString(),
  ...extra,
});

async function setup(name: string) {
  const { typed: api, project, user } = await t.owner(name);
  const member = newUser(`${name} member`);
  expectStatus(await api.projects({ id: project.id }).members.post({ userId: member.id }), 201);
  const ticket = expectStatus(await api.projects({ id: project.id }).tickets.post({ title: name }), 201);
  const read = async (id = ticket.id) => expectStatus(await api.tickets({ id }).get(), 200);
  const assigneeOf = async (id = ticket.id) => (await read(id)).assigneeId;
  const board = async () => api.projects({ id: project.id }).board.get();
  return { api, project, owner: user, member, ticket, read, assigneeOf, board };
}

const updatesOf = (ticketId: string) => collector.messages.filter((m) => m.topic === 'ticket.updated' && m.value.ticketId === ticketId);
const dlqOf = (ticketId: string) =>
  collector.messages.filter((m) => m.topic === 'ticket.assigned.dlq' && m.headers[DlqHeader.group] === t.config.KAFKA_GROUP_ID && m.raw.includes(ticketId));

describe('ticket.assigned consumer', () => {
  test('applies: assignee, ticket and project versions, board cache dropped, ticket.updated; a redelivery changes nothing', async () => {
    const { api, project, member, ticket, owner, read, assigneeOf, board: boardOf } = await setup('Apply');
    const warm = expectStatus(await boardOf(), 200);
    expect((await boardOf()).response.headers.get('x-cache')).toBe('HIT');

    const event = assignment(ticket, member.id, new Date(), { assignedBy: owner.id, strategy: 'manual' });
    await publish(project.id, event, event.eventId);
    await eventually('the assignment', async () => (await assigneeOf()) === member.id);
    const shown = await read();
    expect(shown.version).toBe(2);
    const board = expectStatus(await boardOf(), 200);
    expect(board.version).toBe(warm.version + 1);
    expect(board.columns.OPEN[0]!.assigneeId).toBe(member.id);

    // The same event twice more (at-least-once delivery), then a marker on the same partition.
    await publish(project.id, event, event.eventId);
    await publish(project.id, event, event.eventId);
    const marker = expectStatus(await api.projects({ id: project.id }).tickets.post({ title: 'marker' }), 201);
    await publish(project.id, assignment(marker, member.id));
    await eventually('the marker', async () => (await assigneeOf(marker.id)) === member.id);
    expect((await read()).version).toBe(2);

    await collector.waitFor(() => updatesOf(ticket.id).length >= 1);
    expect(updatesOf(ticket.id)).toHaveLength(1);
    expect(updatesOf(ticket.id)[0]!.value).toMatchObject({
      changes: { assigneeId: { from: null, to: member.id } },
      updatedBy: owner.id, // assignedBy of a manual assignment
      assignedAt: event.assignedAt,
      version: warm.version + 1,
    });
  });

  test('the newest assignedAt wins: an older (or equal) one that arrives later is ignored, also after a PATCH', async () => {
    const { api, project, member, owner, ticket, read, assigneeOf } = await setup('Order');
    const t0 = Date.now();
    await publish(project.id, assignment(ticket, member.id, new Date(t0)));
    await eventually('the first assignment', async () => (await assigneeOf()) === member.id);
    // Older and equal arrive later: neither applies.
    await publish(project.id, assignment(ticket, owner.id, new Date(t0 - 1000)));
    await publish(project.id, assignment(ticket, owner.id, new Date(t0)));
    // A PATCH by hand is newer than both and than an automatic one decided before it.
    const beforePatch = Date.now();
    const patched = await api.tickets({ id: ticket.id }).patch({ assigneeId: null });
    expect(patched.status).toBe(200);
    // Decided after the first assignment but before the PATCH, delivered after it: ignored.
    expect(beforePatch - 1).toBeGreaterThan(t0);
    await publish(project.id, assignment(ticket, owner.id, new Date(beforePatch - 1)));
    const marker = expectStatus(await api.projects({ id: project.id }).tickets.post({ title: 'marker' }), 201);
    await publish(project.id, assignment(marker, member.id));
    await eventually('the marker', async () => (await assigneeOf(marker.id)) === member.id);

    const now = await read();
    expect(now.assigneeId).toBeNull();
    expect(now.version).toBe(3); // created, assigned once, PATCHed
    const patchEvent = await collector.waitFor(() => updatesOf(ticket.id).length >= 2);
    expect(updatesOf(ticket.id).map((m) => m.value.changes.assigneeId)).toEqual([
      { from: null, to: member.id },
      { from: member.id, to: null },
    ]);
    expect(patchEvent.length).toBeGreaterThan(0);
    expect(updatesOf(ticket.id)[1]!.value.assignedAt).toBeString(); // PATCH assignments are ordered too
  });

  test('poison goes to the DLQ and the next message is applied: unknown ticket, not JSON, broken contract, non-member', async () => {
    const { project, member, ticket, read, assigneeOf } = await setup('Poison');
    const ghost = { id: Bun.randomUUIDv7(), projectId: project.id };
    await publish(project.id, assignment(ghost, member.id));
    await publish(project.id, `{"ticketId":"${ticket.id}", oops`);
    await publish(project.id, { ...assignment(ticket, member.id), assignedAt: 'yesterday' });
    await publish(project.id, assignment(ticket, newUser('Stranger').id));
    await publish(project.id, assignment(ticket, member.id));
    await eventually('the good message after the poison', async () => (await assigneeOf()) === member.id);

    const dead = await collector.waitFor(() => dlqOf(ghost.id).length >= 1 && dlqOf(ticket.id).length >= 3);
    expect(dead.length).toBeGreaterThan(0);
    const [unknown] = dlqOf(ghost.id);
    expect(unknown!.headers).toMatchObject({ [DlqHeader.topic]: 'ticket.assigned', [DlqHeader.attempts]: '1' });
    expect(unknown!.headers[DlqHeader.error]).toContain(`ticket ${ghost.id} does not exist`);
    const errors = dlqOf(ticket.id).map((m) => m.headers[DlqHeader.error]);
    expect(errors.some((e) => e?.includes('not JSON'))).toBe(true);
    expect(errors.some((e) => e?.includes('assignedAt'))).toBe(true);
    expect(errors.some((e) => e?.includes('is not a member'))).toBe(true);
    expect(dlqOf(ticket.id).every((m) => m.headers[DlqHeader.offset] !== undefined && m.headers[DlqHeader.partition] !== undefined)).toBe(true);
    expect((await read()).version).toBe(2);
  });
});
