/**
 * Per-user channels on the real Redis, across two hub instances: an instance subscribes
 * `user:{userId}` exactly while that user has a socket on it (PUBSUB NUMSUB says so), and a
 * `notification.created` PUBLISHed there reaches every socket of that user on every instance as a
 * `notification` frame, and nobody else's. Malformed messages, or another user's notification on
 * the channel, are dropped.
 */
import { afterAll, beforeAll, expect, test } from 'bun:test';
import { newUser } from '@syncro/testing';
import { REDIS_URL } from '@syncro/tickets/harness';
import { RedisClient } from 'bun';
import { eventually, startHub, type Hub } from '../../test/harness.ts';
import { userChannel } from './userChannels.ts';

let a: Hub;
let b: Hub;
let redis: RedisClient;
beforeAll(async () => {
  a = await startHub({ bridge: false });
  b = await startHub({ tickets: a.tickets, bridge: false });
  redis = new RedisClient(REDIS_URL);
  await redis.connect();
}, 60_000);
afterAll(async () => {
  redis?.close();
  await b?.stop();
  await a?.stop();
});

const subscribers = async (userId: string) => {
  const [, n] = (await redis.send('PUBSUB', ['NUMSUB', userChannel(userId)])) as [string, number];
  return Number(n);
};
const notification = (userId: string, extra: Record<string, unknown> = {}) => ({
  notificationId: Bun.randomUUIDv7(),
  userId,
  kind: 'ticket.assigned',
  title: 'AB-1 was assigned to you',
  ...extra,
});

test('a notification reaches every socket of its user on both instances, and no one else', async () => {
  const ada = newUser('Ada');
  const bob = newUser('Bob');
  const [a1, a2, b1, bob1] = await Promise.all([a.socket(ada), a.socket(ada), b.socket(ada), a.socket(bob)]);
  await eventually('one subscription per instance for Ada', async () => (await subscribers(ada.id)) === 2);

  const ticketId = Bun.randomUUIDv7();
  const n = notification(ada.id, { ticketId, timestamp: new Date().toISOString(), eventId: Bun.randomUUIDv7() });
  expect(await redis.publish(userChannel(ada.id), JSON.stringify(n))).toBe(2);
  for (const s of [a1, a2, b1]) {
    expect((await s.next('notification')).data).toEqual({ notificationId: n.notificationId, userId: ada.id, kind: n.kind, title: n.title, ticketId });
  }
  await redis.publish(userChannel(bob.id), JSON.stringify(notification(bob.id)));
  await bob1.next('notification');
  expect([a1, a2, b1].map((s) => s.frames.filter((f) => f.event === 'notification').length)).toEqual([1, 1, 1]);
  expect(bob1.frames.filter((f) => f.event === 'notification').map((f) => f.data.userId)).toEqual([bob.id]);
});

test('malformed messages and other users\' notifications on the channel are dropped', async () => {
  const ada = newUser('Ada');
  const s = await a.socket(ada);
  await eventually('subscribed', async () => (await subscribers(ada.id)) === 1);
  await redis.publish(userChannel(ada.id), 'not json');
  await redis.publish(userChannel(ada.id), JSON.stringify({ ...notification(ada.id), kind: '' }));
  await redis.publish(userChannel(ada.id), JSON.stringify(notification(newUser('Eve').id)));
  const good = notification(ada.id);
  await redis.publish(userChannel(ada.id), JSON.stringify(good));
  expect((await s.next('notification')).data.notificationId).toBe(good.notificationId);
  expect(s.frames.filter((f) => f.event === 'notification')).toHaveLength(1);
  expect(s.frames.some((f) => f.event === 'error')).toBe(false);
});

test('subscribed only while the user has a socket here: the last close unsubscribes, a quick reopen stays subscribed', async () => {
  const ada = newUser('Ada');
  const s1 = await a.socket(ada);
  const s2 = await a.socket(ada);
  await eventually('subscribed', async () => (await subscribers(ada.id)) === 1);
  s1.close();
  await s1.closed;
  await Bun.sleep(100);
  expect(await subscribers(ada.id)).toBe(1);
  s2.close();
  await s2.closed;
  await eventually('unsubscribed', async () => (await subscribers(ada.id)) === 0);

  // Close and reopen in a burst: whatever the interleaving, the open socket ends up subscribed.
  for (let i = 0; i < 5; i++) (await a.socket(ada)).close();
  const last = await a.socket(ada);
  await eventually('subscribed again', async () => (await subscribers(ada.id)) === 1);
  await Bun.sleep(200);
  expect(await subscribers(ada.id)).toBe(1);
  const n = notification(ada.id);
  await redis.publish(userChannel(ada.id), JSON.stringify(n));
  expect((await last.next('notification')).data.notificationId).toBe(n.notificationId);
  expect(a.service.hub.users.size).toBeGreaterThanOrEqual(1);
});

test('notification.created on Kafka reaches its user through the bridge (consumer → PUBLISH user:{id} → sockets)', async () => {
  const { createKafkaBus } = await import('@syncro/kit/bus');
  const { createLogger } = await import('@syncro/kit/log');
  const { BROKERS } = await import('@syncro/tickets/harness');
  const { EventHeader, SCHEMA_VERSION } = await import('@syncro/contracts');
  const bridged = await startHub({ tickets: a.tickets });
  const bus = createKafkaBus({ brokers: BROKERS, clientId: 'notification-test', logger: createLogger({ test: 'userChannels' }) });
  try {
    const ada = newUser('Ada');
    const s = await bridged.socket(ada);
    await eventually('subscribed', async () => (await subscribers(ada.id)) >= 1);
    const projectId = Bun.randomUUIDv7();
    const n = { ...notification(ada.id, { projectId }), eventId: Bun.randomUUIDv7(), timestamp: new Date().toISOString() };
    await bus.publish([{ topic: 'notification.created', key: ada.id, value: JSON.stringify(n), headers: { [EventHeader.id]: n.eventId, [EventHeader.type]: 'notification.created', [EventHeader.schemaVersion]: SCHEMA_VERSION } }]);
    const got = await s.next('notification', 20_000);
    expect(got.data).toEqual({ notificationId: n.notificationId, userId: ada.id, kind: n.kind, title: n.title, projectId });
  } finally {
    await bus.close();
    await bridged.stop();
  }
}, 60_000);
