import { afterAll, beforeAll, expect, test } from 'bun:test';
import { collectEvents, eventually } from '@syncro/testing';
import { BROKERS, startNotify, type NotifyHarness } from '../test/harness.ts';

let h: NotifyHarness;
beforeAll(async () => {
  h = await startNotify();
}, 60_000);
afterAll(() => h?.stop());

test('a message that breaks the contract goes to <topic>.dlq under this group, and the next one is still handled', async () => {
  const dlq = await collectEvents(BROKERS, ['ticket.assigned.dlq']);
  try {
    const eventId = Bun.randomUUIDv7();
    // No assigneeId: the contract refuses it; retrying cannot help.
    await h.publish('ticket.assigned', { ticketId: Bun.randomUUIDv7(), assignedAt: new Date().toISOString() } as never, eventId);
    await dlq.waitFor((m) => m.some((x) => x.headers['event-id'] === eventId));
    const mine = dlq.messages.find((x) => x.headers['event-id'] === eventId)!;
    expect(mine.headers['dlq-consumer-group']).toBe(h.config.KAFKA_GROUP_ID);
    expect(mine.headers['dlq-error']).toContain('assigneeId');
    const after = await h.user('After Poison');
    await eventually('the welcome mail', () => h.mailsTo(after.email).length > 0);
    expect(h.mailsTo(after.email).map((m) => m.subject)).toEqual(['Bienvenido a SyncroBoard']);
  } finally {
    await dlq.stop();
  }
}, 30_000);
