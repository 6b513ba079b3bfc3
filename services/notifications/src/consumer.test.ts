import { afterAll, beforeAll, expect, test } from 'bun:test';
import { collectEvents, eventually } from '@syncro/testing';
import { BROKERS, startNotify, type NotifyHarness } from '../test/harness.ts';

let h: NotifyHarness;
beforeAll(async () => {
  h = await startNotify();
}, 60_000);
afterAll(() => h?.stop());

test('a message that breaks the contract goes to <topic>.dlq under this group, and the next one is still handled', async () => {
  const dlq = await collectEvents(BROKERS, ['user.created.dlq']);
  try {
    const eventId = Bun.randomUUIDv7();
    // Not an email: the contract refuses it; retrying cannot help. (Other consumers of the topic may dead-letter it too.)
    await h.publish('user.created', { userId: Bun.randomUUIDv7(), email: 'not-an-email', name: 'Poison', locale: 'es' }, eventId);
    const mine = (await dlq.waitFor((m) => m.some((x) => x.headers['event-id'] === eventId && x.headers['dlq-consumer-group'] === h.config.KAFKA_GROUP_ID))).find(
      (x) => x.headers['event-id'] === eventId && x.headers['dlq-consumer-group'] === h.config.KAFKA_GROUP_ID,
    )!;
    expect(mine.headers['dlq-error']).toContain('email');
    const after = await h.user('After Poison');
    await eventually('the welcome mail', () => h.mailsTo(after.email).length > 0);
    expect(h.mailsTo(after.email).map((m) => m.subject)).toEqual(['Bienvenido a SyncroBoard']);
  } finally {
    await dlq.stop();
  }
}, 30_000);
