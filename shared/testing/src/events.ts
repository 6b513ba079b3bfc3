/**
 * @module Reads what really reached the broker: a consumer that starts at the topics' current
 * end (so earlier runs do not slow it) and keeps every message, parsed, for assertions; and
 * `publishRaw()`, which puts any value on a topic as a producer would. Both work in the test
 * run's topic namespace (KAFKA_TOPIC_PREFIX) under the logical topic names.
 */
import { EventHeader, SCHEMA_VERSION } from '@syncro/contracts';
import { Kafka, logLevel, type Producer } from 'kafkajs';
import { topicPrefixFromEnv } from '../../kit/src/bus/topics.ts';

export interface SeenMessage {
  topic: string;
  partition: number;
  offset: string;
  key: string | null;
  headers: Record<string, string>;
  raw: string;
  value: any;
  /** The message's Kafka timestamp (ms): the producer's send time (CreateTime topics). */
  timestamp: number;
}

export interface EventCollector {
  messages: SeenMessage[];
  waitFor(predicate: (messages: SeenMessage[]) => boolean, timeoutMs?: number): Promise<SeenMessage[]>;
  stop(): Promise<void>;
}

/** `fromBeginning` reads everything the topics hold (a throwaway broker); else only what comes next. */
export async function collectEvents(brokers: string[], topics: string[], opts: { fromBeginning?: boolean } = {}): Promise<EventCollector> {
  const prefix = topicPrefixFromEnv();
  const physical = topics.map((t) => prefix + t);
  const kafka = new Kafka({ clientId: 'test-collector', brokers, logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  const starts = await Promise.all(physical.map(async (topic) => ({ topic, offsets: await admin.fetchTopicOffsets(topic) })));
  await admin.disconnect();

  const consumer = kafka.consumer({ groupId: `test-${crypto.randomUUID()}`, maxWaitTimeInMs: 100 });
  const messages: SeenMessage[] = [];
  await consumer.connect();
  await consumer.subscribe({ topics: physical, fromBeginning: false });
  await consumer.run({
    autoCommit: false,
    eachMessage: async ({ topic, partition, message }) => {
      const raw = message.value?.toString('utf8') ?? '';
      let value: unknown = raw;
      try {
        value = JSON.parse(raw);
      } catch {
        /* poison messages stay raw */
      }
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(message.headers ?? {})) if (v !== undefined) headers[k] = String(v);
      messages.push({
        topic: topic.slice(prefix.length),
        partition,
        offset: message.offset,
        key: message.key?.toString('utf8') ?? null,
        headers,
        raw,
        value,
        timestamp: Number(message.timestamp),
      });
    },
  });
  // Start exactly where the topics ended when we were created: nothing earlier, nothing missed.
  // kafkajs sets the group up after run() resolves; a seek before that throws, so retry briefly.
  for (let attempt = 0; ; attempt++) {
    try {
      for (const { topic, offsets } of starts) {
        for (const { partition, offset, low } of offsets) consumer.seek({ topic, partition, offset: opts.fromBeginning ? low : offset });
      }
      break;
    } catch (err) {
      if (attempt >= 100 || !/not initialized/.test((err as Error).message)) throw err;
      await Bun.sleep(20);
    }
  }

  return {
    messages,
    async waitFor(predicate, timeoutMs = 20_000) {
      const until = Date.now() + timeoutMs;
      while (!predicate(messages)) {
        if (Date.now() > until) throw new Error(`timed out waiting for events; saw ${messages.length}`);
        await Bun.sleep(50);
      }
      return messages;
    },
    stop: () => consumer.disconnect(),
  };
}

export interface RawMessage {
  topic: string;
  key: string;
  /** An object is sent as JSON; a string as it is (poison). */
  value: unknown;
  /** Default: the event headers a relay sets (`eventId` from the value, or a fresh one). */
  headers?: Record<string, string>;
}

const producers = new Map<string, Promise<Producer>>();

/**
 * Publishes straight to the broker, as another service's relay would (or a broken one): for
 * consumer tests. One idempotent producer per broker list, kept for the test process.
 */
export async function publishRaw(brokers: string[], messages: RawMessage[]): Promise<void> {
  const id = brokers.join(',');
  let ready = producers.get(id);
  if (!ready) {
    const producer = new Kafka({ clientId: 'test-publisher', brokers, logLevel: logLevel.NOTHING }).producer({ idempotent: true, maxInFlightRequests: 1 });
    ready = producer.connect().then(() => producer);
    producers.set(id, ready);
    ready.catch(() => producers.delete(id));
  }
  const producer = await ready;
  const prefix = topicPrefixFromEnv();
  for (const m of messages) {
    const value = typeof m.value === 'string' ? m.value : JSON.stringify(m.value);
    const eventId = (m.value as { eventId?: unknown } | null)?.eventId;
    const headers = m.headers ?? {
      [EventHeader.id]: typeof eventId === 'string' ? eventId : Bun.randomUUIDv7(),
      [EventHeader.type]: m.topic,
      [EventHeader.schemaVersion]: SCHEMA_VERSION,
    };
    await producer.send({ topic: prefix + m.topic, acks: -1, messages: [{ key: m.key, value, headers }] });
  }
}

/** Disconnects `publishRaw()`'s producers (a test file's afterAll, when it used a throwaway broker). */
export async function closePublishers(): Promise<void> {
  const all = [...producers.values()];
  producers.clear();
  await Promise.all(all.map((p) => p.then((x) => x.disconnect()).catch(() => {})));
}
