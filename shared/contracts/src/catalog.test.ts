import { describe, expect, test } from 'bun:test';
import * as v from 'valibot';
import { SPEC_FIELDS, TOPICS, catalog, envelopeSchema, parseEnvelope, partitionKey } from './index.ts';

const ids = {
  ticket: '0193a1b2-0000-7000-8000-000000000001',
  project: '0193a1b2-0000-7000-8000-000000000002',
  user: '0193a1b2-0000-7000-8000-000000000003',
  event: '0193a1b2-0000-7000-8000-000000000004',
};

describe('contracts catalog', () => {
  test('has every topic DESIGN.md names', () => {
    expect([...TOPICS].sort() as string[]).toEqual(
      [
        'project.created',
        'project.member.added',
        'project.member.removed',
        'ticket.assigned',
        'ticket.commented',
        'ticket.created',
        'ticket.deleted',
        'ticket.status.updated',
        'ticket.updated',
        'user.created',
        'user.updated',
        'notification.created',
      ].sort(),
    );
  });

  test('spec fields are required under their spec names', () => {
    for (const [topic, fields] of Object.entries(SPEC_FIELDS)) {
      const entries = catalog[topic as keyof typeof catalog].entries as Record<string, { type: string }>;
      for (const field of fields) {
        expect(entries[field], `${topic}.${field}`).toBeDefined();
        expect(entries[field]!.type, `${topic}.${field} must be required`).not.toBe('optional');
      }
    }
  });

  test('an envelope needs eventId and timestamp, and names the bad field', () => {
    const payload = { userId: ids.user, email: 'ada@example.com', name: 'Ada', locale: 'en' };
    expect(parseEnvelope('user.created', payload).success).toBe(false);
    const ok = parseEnvelope('user.created', { ...payload, eventId: ids.event, timestamp: new Date().toISOString() });
    expect(ok.success).toBe(true);
    const bad = parseEnvelope('user.created', { ...payload, email: 'nope', eventId: ids.event, timestamp: new Date().toISOString() });
    expect(bad.success).toBe(false);
    expect(bad.issues?.[0]?.path?.[0]?.key).toBe('email');
    // The schema the outbox validates with: the same verdicts, and the envelope kept whole.
    const timestamp = new Date().toISOString();
    const schema = envelopeSchema('user.created');
    expect(v.parse(schema, { ...payload, eventId: ids.event, timestamp })).toEqual({ ...payload, eventId: ids.event, timestamp });
    expect(v.safeParse(schema, { ...payload, timestamp }).issues?.[0]?.path?.[0]?.key).toBe('eventId');
  });

  test('partition key is the project, or the user for user topics and notifications', () => {
    expect(partitionKey('user.created', { userId: ids.user, email: 'a@b.co', name: 'A', locale: 'en' })).toBe(ids.user);
    expect(partitionKey('user.updated', { userId: ids.user, changes: { name: { from: 'A', to: 'B' } } })).toBe(ids.user);
    expect(
      partitionKey('notification.created', { notificationId: ids.event, userId: ids.user, kind: 'assigned', title: 'T', projectId: ids.project }),
    ).toBe(ids.user);
    expect(
      partitionKey('ticket.deleted', { ticketId: ids.ticket, projectId: ids.project, deletedBy: ids.user, version: 3, code: 'AB-1' }),
    ).toBe(ids.project);
  });
});
