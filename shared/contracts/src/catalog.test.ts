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

  test('user.updated names only changed profile fields, at least one; notification.created has its optional links', () => {
    const envelope = { eventId: ids.event, timestamp: new Date().toISOString() };
    expect(parseEnvelope('user.updated', { userId: ids.user, changes: { name: { from: 'Ada', to: 'Ada L.' } }, ...envelope }).success).toBe(true);
    expect(parseEnvelope('user.updated', { userId: ids.user, changes: {}, ...envelope }).issues?.[0]?.message).toBe('changes must name at least one field');
    expect(parseEnvelope('user.updated', { userId: ids.user, changes: { role: { from: 'a', to: 'b' } }, ...envelope }).success).toBe(false);
    const n = { notificationId: ids.event, userId: ids.user, kind: 'ticket.assigned', title: 'AB-1 is yours', ...envelope };
    expect(parseEnvelope('notification.created', n).success).toBe(true);
    expect(parseEnvelope('notification.created', { ...n, ticketId: ids.ticket, projectId: ids.project }).success).toBe(true);
    expect(parseEnvelope('notification.created', { ...n, ticketId: 'nope' }).issues?.[0]?.path?.[0]?.key).toBe('ticketId');
  });

  test('partition key is the project, or the user for user.* and notification.created', () => {
    expect(partitionKey('user.created', { userId: ids.user, email: 'a@b.co', name: 'A', locale: 'en' })).toBe(ids.user);
    expect(partitionKey('user.updated', { userId: ids.user, changes: { locale: { from: 'en', to: 'fr' } } })).toBe(ids.user);
    expect(partitionKey('notification.created', { notificationId: ids.event, userId: ids.user, kind: 'k', title: 't', projectId: ids.project })).toBe(ids.user);
    expect(
      partitionKey('ticket.deleted', { ticketId: ids.ticket, projectId: ids.project, deletedBy: ids.user, version: 3, code: 'AB-1' }),
    ).toBe(ids.project);
  });
});
