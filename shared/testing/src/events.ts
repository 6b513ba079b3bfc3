/**
 * @module Reads what really reached the broker: a consumer that starts at the topics' current
 * end (so earlier runs do not slow it) and keeps every message, parsed, for assertions.
 */
import { Kafka, logLevel } from 'kafkajs';

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
  const kafka = new Kafka({ clientId: 'test-collector', brokers, logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  const starts = await Promise.all(topics.map(async (topic) => ({ topic, offsets: await admin.fetchTopicOffsets(topic) })));
  await admin.disconnect();

  const consumer = kafka.consumer({ groupId: `test-${crypto.randomUUID()}`, maxWaitTimeInMs: 100 });
  const messages: SeenMessage[] = [];
  await consumer.connect();
  await consumer.subscribe({ topics, fromBeginning: false });
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
        topic,
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
