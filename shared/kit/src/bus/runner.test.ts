/**
 * The runner on the real broker: a message that keeps failing holds up only its own partition;
 * a dependency that is away is waited out (no DLQ, health degraded, the stuck age measured);
 * a domain refusal goes to the DLQ at once; the topic namespace keeps test traffic apart. (The
 * dead-letter replay is a case of the shared bus suite, run on each adapter.)
 */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { Partitioners } from 'kafkajs';
import { EventHeader, type Envelope } from '@syncro/contracts';
import { eventually } from '@syncro/testing';
import { NotFound, Unavailable } from '../errors/index.ts';
import { MetricsRegistry } from '../metrics/index.ts';
import { createLogger } from '../log/index.ts';
import { createKafkaBus } from './kafka.ts';
import type { EventBus, IncomingMessage } from './port.ts';
import { DlqHeader, runConsumer, startConsumerInBackground } from './runner.ts';
import { brokersFromEnv, deleteTopics, ensureTopics, readTopicDefinitions, topicPrefixFromEnv, withTopicPrefix } from './topics.ts';

const logger = createLogger({ test: 'runner' });
const brokers = brokersFromEnv();
const TOPIC = 'user.created';
/** The producer's own choice of partition for a key (murmur2), to know which keys share one. */
const partitioner = Partitioners.DefaultPartitioner();

const userCreated = (userId: string, name: string): Envelope<'user.created'> => ({
  userId,
  email: `${userId.slice(-12)}@example.test`,
  name,
  locale: 'en',
  eventId: Bun.randomUUIDv7(),
  timestamp: new Date().toISOString(),
});
const message = (e: Envelope<'user.created'>, key: string) => ({
  topic: TOPIC,
  key,
  value: JSON.stringify(e),
  headers: { [EventHeader.type]: TOPIC, [EventHeader.id]: e.eventId },
});

let bus: EventBus;
const dlq: IncomingMessage[] = [];
beforeAll(async () => {
  bus = createKafkaBus({ brokers, clientId: 'runner-test', logger });
  await bus.subscribe({ groupId: `dlq-watch-${crypto.randomUUID()}`, topics: [`${TOPIC}.dlq`], fromNow: true, handle: async (m) => void dlq.push(m) });
});
afterAll(() => bus?.close());

describe('partitions are independent', () => {
  test('a message that keeps failing holds up only its own partition; its partition stays in order', async () => {
    // 30 keys: with 3 partitions some share the blocked key's partition, most do not.
    const keys = Array.from({ length: 30 }, () => Bun.randomUUIDv7());
    const ours = new Set(keys);
    const blocked = keys[0]!;
    const partitionMetadata = [0, 1, 2].map((partitionId) => ({ partitionId, leader: 0, partitionErrorCode: 0, replicas: [0], isr: [0] }));
    const partitionOf = (key: string) => partitioner({ topic: TOPIC, partitionMetadata, message: { key, value: null } });
    let failures = 0;
    let release = false;
    const handled: { key: string; name: string; partition: number }[] = [];
    const sub = await runConsumer({
      bus,
      logger,
      groupId: `independent-${crypto.randomUUID()}`,
      fromNow: true,
      maxAttempts: 1000,
      baseBackoffMs: 50,
      maxBackoffMs: 200,
      handlers: {
        [TOPIC]: async (e: Envelope<'user.created'>, m: IncomingMessage) => {
          if (!ours.has(e.userId)) return;
          if (e.name === 'stuck' && !release) {
            failures++;
            throw new Error('this one keeps failing');
          }
          handled.push({ key: e.userId, name: e.name, partition: m.partition });
        },
      },
    });
    try {
      await bus.publish([message(userCreated(blocked, 'stuck'), blocked)]);
      await eventually('the stuck message to fail a few times', () => failures >= 3);
      await bus.publish(keys.map((k) => message(userCreated(k, 'after'), k)));

      const p = partitionOf(blocked);
      const elsewhere = keys.filter((k) => partitionOf(k) !== p);
      expect(elsewhere.length).toBeGreaterThan(5);
      await eventually('every key on another partition handled while one partition is stuck', () => elsewhere.every((k) => handled.some((h) => h.key === k)));
      // Nothing of the stuck partition went past it.
      expect(handled.filter((h) => h.partition === p)).toEqual([]);
      expect(handled.every((h) => partitionOf(h.key) === h.partition)).toBe(true);

      release = true;
      await eventually('everything handled once released', () => handled.length === keys.length + 1);
      const samePartition = handled.filter((h) => h.partition === p);
      expect(samePartition[0]).toEqual({ key: blocked, name: 'stuck', partition: p });
      expect(samePartition.slice(1).map((h) => h.key)).toEqual(keys.filter((k) => partitionOf(k) === p));
    } finally {
      await sub.stop();
    }
  }, 40_000);
});

describe('a slow handler', () => {
  test('one that hangs holds up only its own partition', async () => {
    const keys = Array.from({ length: 30 }, () => Bun.randomUUIDv7());
    const ours = new Set(keys);
    const slow = keys[0]!;
    const partitionMetadata = [0, 1, 2].map((partitionId) => ({ partitionId, leader: 0, partitionErrorCode: 0, replicas: [0], isr: [0] }));
    const partitionOf = (key: string) => partitioner({ topic: TOPIC, partitionMetadata, message: { key, value: null } });
    const { promise: released, resolve: release } = Promise.withResolvers<void>();
    let entered = false;
    const handled: { key: string; name: string }[] = [];
    const sub = await runConsumer({
      bus,
      logger,
      groupId: `slow-${crypto.randomUUID()}`,
      fromNow: true,
      handlers: {
        [TOPIC]: async (e: Envelope<'user.created'>) => {
          if (!ours.has(e.userId)) return;
          if (e.name === 'slow') {
            entered = true;
            await released; // a lock wait, a slow dependency
          }
          handled.push({ key: e.userId, name: e.name });
        },
      },
    });
    try {
      await bus.publish([message(userCreated(slow, 'slow'), slow)]);
      await eventually('the slow handler to start', () => entered);
      await bus.publish(keys.map((k) => message(userCreated(k, 'after'), k)));
      const elsewhere = keys.filter((k) => partitionOf(k) !== partitionOf(slow));
      await eventually('the other partitions handled while one handler hangs', () => elsewhere.every((k) => handled.some((h) => h.key === k)));
      expect(handled.some((h) => partitionOf(h.key) === partitionOf(slow))).toBe(false);
      release();
      await eventually('everything handled once it returns', () => handled.length === keys.length + 1);
      expect(handled.filter((h) => partitionOf(h.key) === partitionOf(slow))[0]).toEqual({ key: slow, name: 'slow' });
    } finally {
      release();
      await sub.stop();
    }
  }, 40_000);
});

describe('one key at a time', () => {
  test('handlers of one key never overlap, across topics; other keys run meanwhile', async () => {
    const key = Bun.randomUUIDv7();
    const partitionMetadata = [0, 1, 2].map((partitionId) => ({ partitionId, leader: 0, partitionErrorCode: 0, replicas: [0], isr: [0] }));
    const partitionOf = (k: string) => partitioner({ topic: TOPIC, partitionMetadata, message: { key: k, value: null } });
    let other = Bun.randomUUIDv7();
    while (partitionOf(other) === partitionOf(key)) other = Bun.randomUUIDv7();
    let running = 0;
    let most = 0;
    const order: string[] = [];
    const sub = await runConsumer({
      bus,
      logger,
      groupId: `one-key-${crypto.randomUUID()}`,
      fromNow: true,
      handlers: {
        'user.created': async (e: Envelope<'user.created'>, m: IncomingMessage) => {
          if (m.key === other) return void order.push('other');
          if (m.key !== key) return;
          running++;
          most = Math.max(most, running);
          await Bun.sleep(400);
          order.push(e.name);
          running--;
        },
        'project.created': async (e: Envelope<'project.created'>, m: IncomingMessage) => {
          if (m.key !== key) return;
          running++;
          most = Math.max(most, running);
          await Bun.sleep(50);
          order.push(`project ${e.key}`);
          running--;
        },
      },
    });
    try {
      await bus.publish([message(userCreated(key, 'slow'), key)]);
      await eventually('the slow one to start', () => running === 1);
      const project = { projectId: Bun.randomUUIDv7(), key: 'ONEKEY', name: 'One key', userId: Bun.randomUUIDv7(), role: 'owner', version: 1, actorId: Bun.randomUUIDv7(), eventId: Bun.randomUUIDv7(), timestamp: new Date().toISOString() };
      await bus.publish([
        { topic: 'project.created', key, value: JSON.stringify(project), headers: { [EventHeader.type]: 'project.created', [EventHeader.id]: project.eventId } },
        message(userCreated(other, 'other'), other),
      ]);
      await eventually('both of the key handled', () => order.includes('project ONEKEY'));
      expect(most).toBe(1);
      expect(order.indexOf('other')).toBeLessThan(order.indexOf('slow'));
      expect(order.indexOf('slow')).toBeLessThan(order.indexOf('project ONEKEY'));
    } finally {
      await sub.stop();
    }
  }, 30_000);
});

describe('an unavailable dependency is waited out', () => {
  test('no DLQ however many attempts; health degraded and the stuck age measured meanwhile; applied once it returns', async () => {
    const key = Bun.randomUUIDv7();
    let down = true;
    let attempts = 0;
    const handled: string[] = [];
    const metrics = new MetricsRegistry();
    const groupId = `unavailable-${crypto.randomUUID()}`;
    const consumer = startConsumerInBackground({
      bus,
      logger,
      metrics,
      groupId,
      fromNow: true,
      maxAttempts: 3,
      baseBackoffMs: 50,
      maxBackoffMs: 200,
      handlers: {
        [TOPIC]: async (e: Envelope<'user.created'>) => {
          if (e.userId !== key) return;
          attempts++;
          if (down) throw Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5999'), { code: 'ECONNREFUSED' });
          handled.push(e.name);
        },
      },
    });
    try {
      await consumer.ready;
      await eventually('a healthy consumer', () => consumer.check().then(() => true, () => false));
      await bus.publish([message(userCreated(key, 'waits'), key)]);
      await eventually('more attempts than maxAttempts', () => attempts > 6);
      await expect(consumer.check()).rejects.toThrow(/unavailable dependency/);
      const stuck = Number(/consumer_stuck_seconds\{group="[^"]+"\} ([\d.]+)/.exec(await metrics.render())?.[1]);
      expect(stuck).toBeGreaterThan(0.5);

      down = false;
      await eventually('applied after the dependency returns', () => handled.length === 1);
      await eventually('healthy again', () => consumer.check().then(() => true, () => false));
      expect(Number(/consumer_stuck_seconds\{group="[^"]+"\} ([\d.]+)/.exec(await metrics.render())?.[1])).toBe(0);
      await Bun.sleep(500);
      expect(dlq.filter((m) => m.key === key)).toEqual([]);
    } finally {
      await consumer.stop();
    }
  }, 40_000);

  test('Unavailable from a handler is waited out too; NotFound goes to the DLQ at once', async () => {
    const key = Bun.randomUUIDv7();
    let attempts = 0;
    const handled: string[] = [];
    const groupId = `refusals-${crypto.randomUUID()}`;
    const sub = await runConsumer({
      bus,
      logger,
      groupId,
      fromNow: true,
      maxAttempts: 2,
      baseBackoffMs: 20,
      maxBackoffMs: 50,
      handlers: {
        [TOPIC]: async (e: Envelope<'user.created'>) => {
          if (e.userId !== key) return;
          if (e.name === 'unknown') throw new NotFound('Ticket');
          if (e.name === 'away' && ++attempts < 6) throw new Unavailable('the search index is away');
          handled.push(e.name);
        },
      },
    });
    try {
      await bus.publish([message(userCreated(key, 'unknown'), key), message(userCreated(key, 'away'), key)]);
      await eventually('both done', () => handled.includes('away'));
      await eventually('the refusal dead-lettered', () => dlq.some((m) => m.key === key));
      const letters = dlq.filter((m) => m.key === key);
      expect(letters).toHaveLength(1);
      expect(letters[0]!.headers).toMatchObject({ [DlqHeader.attempts]: '1', [DlqHeader.error]: 'NotFound: Ticket was not found', [DlqHeader.group]: groupId });
      expect(attempts).toBe(6);
    } finally {
      await sub.stop();
    }
  }, 30_000);
});

describe('topic namespaces', () => {
  const other = `test.other-${crypto.randomUUID().slice(0, 8)}.`;
  beforeAll(() => ensureTopics(brokers, withTopicPrefix(readTopicDefinitions(), other).filter((d) => d.name.endsWith(TOPIC))), 30_000);
  afterAll(() => deleteTopics(brokers, [other + TOPIC]));

  test('a message published under one prefix is not seen under another, nor without one; each sees its own', async () => {
    const mine = topicPrefixFromEnv();
    expect(mine).not.toBe(''); // the preload gave this run its namespace
    const otherBus = createKafkaBus({ brokers, clientId: 'ns-other', logger, topicPrefix: other });
    const bare = createKafkaBus({ brokers, clientId: 'ns-bare', logger, topicPrefix: '' });
    const key = Bun.randomUUIDv7();
    const seen = { mine: [] as string[], other: [] as string[], bare: [] as string[] };
    const watch = (b: EventBus, into: string[]) =>
      b.subscribe({
        groupId: `ns-${crypto.randomUUID()}`,
        topics: [TOPIC],
        fromNow: true,
        handle: async (m) => {
          // Callers see logical names whatever the namespace.
          expect(m.topic).toBe(TOPIC);
          if (m.key === key) into.push(JSON.parse(m.value!).name);
        },
      });
    const subs = [await watch(bus, seen.mine), await watch(otherBus, seen.other), await watch(bare, seen.bare)];
    try {
      await bus.publish([message(userCreated(key, 'from mine'), key)]);
      await otherBus.publish([message(userCreated(key, 'from other'), key)]);
      await eventually('each namespace to see its own message', () => seen.mine.length === 1 && seen.other.length === 1);
      await Bun.sleep(1000);
      expect(seen).toEqual({ mine: ['from mine'], other: ['from other'], bare: [] });
    } finally {
      for (const s of subs) await s.stop();
      await otherBus.close();
      await bare.close();
    }
  }, 30_000);
});
