/**
 * Out of order is normal, not a failure: one project's history is delivered through the broker to
 * the running consumer in order, the same history of a twin project in the worst order the topics
 * allow (edits, status change and deletion before the creations, the member before the project).
 * The twin's projection ends the same, each event is handled at its first attempt (no retry
 * counted) and nothing goes to a dead-letter topic.
 */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { createKafkaBus } from '@syncro/kit/bus';
import { inbox } from '@syncro/kit/inbox';
import { createLogger } from '@syncro/kit/log';
import { collectEvents } from '@syncro/testing';
import { BROKERS, eventually, startLoop, type Loop } from '@syncro/assignment/harness';
import { and, eq, inArray } from 'drizzle-orm';
import { PROJECTOR } from './projector.ts';
import { members, parkedEvents, tickets } from './projection.model.ts';

const TOPICS = ['project.created', 'project.member.added', 'ticket.created', 'ticket.updated', 'ticket.status.updated', 'ticket.deleted'] as const;
type Event = { topic: (typeof TOPICS)[number]; value: Record<string, unknown> & { eventId: string } };

let loop: Loop;
const bus = createKafkaBus({ brokers: BROKERS, clientId: 'out-of-order-test', logger: createLogger({ test: 'out-of-order' }) });
beforeAll(async () => {
  loop = await startLoop();
}, 60_000);
afterAll(async () => {
  await bus.close();
  await loop?.stop();
});

/** A project's history as the Ticket Service would write it: versions 1..8. */
function history(n: number) {
  const key = `${loop.prefix}O${n}`;
  const projectId = Bun.randomUUIDv7();
  // The member's id sorts first, so the tie-break picks them with or without the owner known.
  const member = `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;
  const owner = Bun.randomUUIDv7();
  const [t1, t2] = [Bun.randomUUIDv7(), Bun.randomUUIDv7()];
  const at = (v: number) => new Date(Date.UTC(2030, 0, 1, 0, 0, v)).toISOString();
  const ev = (topic: Event['topic'], version: number, payload: Record<string, unknown>): Event => ({
    topic,
    value: { ...payload, projectId, version, eventId: Bun.randomUUIDv7(), timestamp: at(version) },
  });
  const ticket = (id: string, i: number) => ({ ticketId: id, code: `${key}-${i}`, reporterId: owner, title: `t${i}`, priority: 'MEDIUM', status: 'OPEN', labels: [] });
  const events = {
    created: ev('project.created', 1, { key, userId: owner, role: 'owner', actorId: owner, name: `Twin ${n}` }),
    member: ev('project.member.added', 2, { key, userId: member, role: 'member', actorId: owner }),
    t1: ev('ticket.created', 3, ticket(t1, 1)),
    edit: ev('ticket.updated', 4, { ticketId: t1, code: `${key}-1`, updatedBy: owner, changes: { priority: { from: 'MEDIUM', to: 'HIGH' }, labels: { from: [], to: ['api'] } } }),
    status: ev('ticket.status.updated', 5, { ticketId: t1, code: `${key}-1`, oldStatus: 'OPEN', newStatus: 'IN_PROGRESS', updatedBy: member }),
    t2: ev('ticket.created', 6, ticket(t2, 2)),
    edit2: ev('ticket.updated', 7, { ticketId: t2, code: `${key}-2`, updatedBy: owner, changes: { priority: { from: 'MEDIUM', to: 'URGENT' } } }),
    deleted: ev('ticket.deleted', 8, { ticketId: t2, code: `${key}-2`, deletedBy: owner }),
  };
  return { projectId, key, events };
}

/** One event at a time, each handled (its inbox row committed) before the next is sent. */
async function deliver(events: Event[]) {
  const db = loop.assignment.deps.db;
  for (const e of events) {
    await bus.publish([{ topic: e.topic, key: e.value.projectId as string, value: JSON.stringify(e.value), headers: { 'event-id': e.value.eventId } }]);
    await eventually(`${e.topic} v${e.value.version} handled`, async () =>
      (await db.select().from(inbox).where(and(eq(inbox.consumer, PROJECTOR), eq(inbox.eventId, e.value.eventId)))).length === 1,
    10_000);
  }
}

/** The projection of one project, with its ids replaced by their place in the history. */
async function projectionOf(projectId: string, key: string) {
  const db = loop.assignment.deps.db;
  const rows = await db.select().from(tickets).where(eq(tickets.projectId, projectId)).orderBy(tickets.code);
  const people = await db.select().from(members).where(eq(members.projectId, projectId)).orderBy(members.role);
  return {
    tickets: rows.map((t) => ({
      code: t.code.replace(key, 'KEY'),
      priority: t.priority,
      status: t.status,
      labels: t.labels,
      version: t.version,
      editVersion: t.editVersion,
      deleted: t.deleted,
      assignee: people.find((m) => m.userId === t.assigneeId)?.role ?? null,
    })),
    members: people.map((m) => ({ role: m.role, active: m.active, version: m.version })),
  };
}

const retries = async () => {
  const text = await loop.assignment.deps.metrics.render();
  return text
    .split('\n')
    .filter((l) => l.startsWith('consumer_retries_total{') && l.includes(`group="${loop.groupId}"`))
    .reduce((sum, l) => sum + Number(l.split(' ').at(-1)), 0);
};

describe('projection with events out of order across topics', () => {
  test('edits, status and deletion before the creations, a member before its project: same projection, no retry, no DLQ', async () => {
    const dlq = await collectEvents(BROKERS, TOPICS.map((t) => `${t}.dlq`));
    try {
      const before = await retries();
      const inOrder = history(1);
      const e1 = inOrder.events;
      await deliver([e1.created, e1.member, e1.t1, e1.edit, e1.status, e1.t2, e1.edit2, e1.deleted]);

      const twin = history(2);
      const e2 = twin.events;
      await deliver([e2.status, e2.edit, e2.edit2, e2.deleted, e2.member, e2.t2, e2.t1, e2.created]);

      const expected = await projectionOf(inOrder.projectId, inOrder.key);
      expect(expected.tickets[0]).toMatchObject({ priority: 'HIGH', status: 'IN_PROGRESS', labels: ['api'], assignee: 'member' });
      expect(await projectionOf(twin.projectId, twin.key)).toEqual(expected);
      const ids = [e2.t1, e2.t2].map((e) => e.value.ticketId as string);
      expect(await loop.assignment.deps.db.select().from(parkedEvents).where(inArray(parkedEvents.ticketId, ids))).toEqual([]);
      expect(await retries()).toBe(before);
      await Bun.sleep(300); // room for a dead letter to arrive, if there were one
      const ours = new Set([inOrder.projectId, twin.projectId]);
      expect(dlq.messages.filter((m) => ours.has(m.value?.projectId))).toEqual([]);
    } finally {
      await dlq.stop();
    }
  }, 90_000);
});
