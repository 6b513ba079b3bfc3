/** Every event the Ticket Service puts on the wire matches its contract, headers and key included. */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { EventHeader, SCHEMA_VERSION, SPEC_FIELDS, parseEnvelope, type Topic } from '@syncro/contracts';
import { collectEvents, newUser, type EventCollector } from '@syncro/testing';
import { expectStatus } from '@syncro/testing/typed';
import { BROKERS, startTickets, type Tickets } from '@syncro/tickets/harness';

const TOPICS: Topic[] = [
  'project.created',
  'project.member.added',
  'project.member.removed',
  'ticket.created',
  'ticket.updated',
  'ticket.status.updated',
  'ticket.commented',
  'ticket.deleted',
];


let t: Tickets;
let collector: EventCollector;
beforeAll(async () => {
  collector = await collectEvents(BROKERS, TOPICS);
  t = await startTickets();
});
afterAll(async () => {
  await collector.stop();
  await t.stop();
});

describe('events on the wire', () => {
  test('each kind of change emits its contract, with headers, key and spec fields', async () => {
    const { typed: api, project, user } = await t.owner('Wire');
    const member = newUser('Member');
    await api.projects({ id: project.id }).members.post({ userId: member.id });
    const ticket = expectStatus(await api.projects({ id: project.id }).tickets.post({ title: 'wire', labels: ['x'] }), 201);
    await api.tickets({ id: ticket.id }).patch({ assigneeId: user.id, title: 'wired' });
    await api.tickets({ id: ticket.id }).status.patch({ status: 'IN_PROGRESS' });
    await api.tickets({ id: ticket.id }).comments.post({ content: 'on the wire' });
    await api.tickets({ id: ticket.id }).delete();
    await api.projects({ id: project.id }).members({ userId: member.id }).delete();

    const ours = <M extends { value: { projectId?: unknown } }>(ms: M[]) => ms.filter((m) => m.value.projectId === project.id);
    const messages = ours(await collector.waitFor((ms) => ours(ms).length >= 8));
    expect(new Set(messages.map((m) => m.topic))).toEqual(new Set(TOPICS));

    for (const m of messages) {
      const topic = m.topic as Topic;
      const parsed = parseEnvelope(topic, m.value);
      expect(parsed.issues ?? [], `${topic} matches its schema`).toEqual([]);
      for (const field of SPEC_FIELDS[topic]) expect(m.value, `${topic}.${field}`).toHaveProperty(field);
      expect(m.key).toBe(project.id);
      expect(m.headers[EventHeader.id]).toBe(m.value.eventId);
      expect(m.headers[EventHeader.type]).toBe(topic);
      expect(m.headers[EventHeader.schemaVersion]).toBe(SCHEMA_VERSION);
      expect(m.headers[EventHeader.traceparent]).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
      expect(m.value.eventId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7/); // UUIDv7
    }
    const status = messages.find((m) => m.topic === 'ticket.status.updated')!.value;
    expect(status).toMatchObject({ ticketId: ticket.id, oldStatus: 'OPEN', newStatus: 'IN_PROGRESS', updatedBy: user.id, code: ticket.code });
    const updated = messages.find((m) => m.topic === 'ticket.updated')!.value;
    expect(updated.changes).toEqual({ title: { from: 'wire', to: 'wired' }, assigneeId: { from: null, to: user.id } });
    expect(messages.map((m) => m.value.version).sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
  });
});
