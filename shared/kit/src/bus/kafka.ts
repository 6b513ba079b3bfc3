/** @module The kafkajs adapter of the bus port: idempotent, ordered producer; one consumer per group. */
import { Kafka, Partitioners, logLevel, type Consumer, type Producer } from 'kafkajs';
import type { Logger } from '../log/index.ts';
import type { EventBus, IncomingMessage, OutgoingMessage, SubscribeOptions, Subscription } from './port.ts';

export interface KafkaBusOptions {
  brokers: string[];
  clientId: string;
  logger: Logger;
}

function headersToStrings(headers: Record<string, unknown> | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers ?? {})) {
    if (v === undefined) continue;
    out[k] = Array.isArray(v) ? String(v[0]) : Buffer.isBuffer(v) ? v.toString('utf8') : String(v);
  }
  return out;
}

export function createKafkaBus({ brokers, clientId, logger }: KafkaBusOptions): EventBus {
  const log = logger.child({ component: 'kafka' });
  const kafka = new Kafka({
    clientId,
    brokers,
    connectionTimeout: 3000,
    requestTimeout: 10_000,
    retry: { retries: 5, initialRetryTime: 100, maxRetryTime: 2000 },
    // kafkajs logs every failed reconnect at ERROR; the callers (relay, runner) report outages once.
    logLevel: logLevel.NOTHING,
  });

  let producer: Producer | null = null;
  let producerReady: Promise<Producer> | null = null;
  const consumers = new Set<Consumer>();

  const getProducer = () =>
    (producerReady ??= (async () => {
      // Idempotent with one request in flight: the broker drops retried duplicates and order holds.
      const p = kafka.producer({
        idempotent: true,
        maxInFlightRequests: 1,
        createPartitioner: Partitioners.DefaultPartitioner,
        retry: { retries: 5, initialRetryTime: 100, maxRetryTime: 2000 },
      });
      await p.connect();
      producer = p;
      return p;
    })().catch((err) => {
      producerReady = null;
      throw err;
    }));

  /** The partitions where `groupId` has committed nothing, with the topics' end offsets now. */
  const uncommittedEnds = async (groupId: string, topics: string[]) => {
    const admin = kafka.admin();
    await admin.connect();
    try {
      const committed = await admin.fetchOffsets({ groupId, topics });
      const seeks: { topic: string; partition: number; offset: string }[] = [];
      for (const { topic, partitions } of committed) {
        const ends = await admin.fetchTopicOffsets(topic);
        for (const p of partitions) {
          const end = ends.find((e) => e.partition === p.partition);
          if (p.offset === '-1' && end) seeks.push({ topic, partition: p.partition, offset: end.offset });
        }
      }
      return seeks;
    } finally {
      await admin.disconnect();
    }
  };

  return {
    async publish(messages: OutgoingMessage[]) {
      if (messages.length === 0) return;
      const p = await getProducer();
      // Consecutive runs of one topic keep the caller's order within each key.
      const topicMessages: { topic: string; messages: { key: string; value: string; headers: Record<string, string> }[] }[] = [];
      for (const m of messages) {
        const last = topicMessages.at(-1);
        const entry = { key: m.key, value: m.value, headers: m.headers };
        if (last?.topic === m.topic) last.messages.push(entry);
        else topicMessages.push({ topic: m.topic, messages: [entry] });
      }
      try {
        await p.sendBatch({ topicMessages, acks: -1 });
      } catch (err) {
        // A producer that saw the broker vanish may keep a dead connection: start afresh next time.
        producerReady = null;
        producer = null;
        await p.disconnect().catch(() => {});
        throw err;
      }
    },

    async subscribe({ groupId, topics, fromBeginning = true, fromNow = false, handle }: SubscribeOptions): Promise<Subscription> {
      const seeks = fromNow ? await uncommittedEnds(groupId, topics) : [];
      let stopped = false;
      let current: Consumer | null = null;
      let relaunch: ReturnType<typeof setTimeout> | undefined;

      const launch = async (seekTo: typeof seeks) => {
        const consumer = kafka.consumer({
          groupId,
          sessionTimeout: 10_000,
          heartbeatInterval: 1000,
          maxWaitTimeInMs: 100,
          retry: { retries: Number.MAX_SAFE_INTEGER, initialRetryTime: 200, maxRetryTime: 3000 },
        });
        current = consumer;
        consumers.add(consumer);
        consumer.on(consumer.events.CRASH, ({ payload }) => {
          log.warn('consumer crashed', { groupId, restartedByKafkajs: payload.restart, err: payload.error });
          // kafkajs gives up on errors it deems non-retriable (a broker that refused the
          // connection during an outage): then this consumer is dead, so start a new one.
          if (payload.restart || stopped) return;
          consumers.delete(consumer);
          const again = () => {
            relaunch = undefined;
            if (!stopped) launch([]).catch((err) => {
              log.warn('consumer restart failed; will retry', { groupId, err });
              relaunch = setTimeout(again, 2000);
            });
          };
          relaunch = setTimeout(again, 1000);
        });
        await consumer.connect();
        await consumer.subscribe({ topics, fromBeginning: fromNow ? false : fromBeginning });
        await consumer.run({
          eachMessage: async ({ topic, partition, message }) => {
            const incoming: IncomingMessage = {
              topic,
              partition,
              offset: message.offset,
              key: message.key?.toString('utf8') ?? null,
              value: message.value?.toString('utf8') ?? null,
              headers: headersToStrings(message.headers),
            };
            await handle(incoming);
          },
        });
        // Applied at the next fetch: a message consumed before it is only seen again (idempotent consumers).
        // run() also resolves when the first join failed and kafkajs restarts the group in the
        // background; seek() throws until the group exists again, so retry for a while.
        for (let attempt = 0; seekTo.length > 0; attempt++) {
          try {
            for (const s of seekTo) consumer.seek(s);
            break;
          } catch (err) {
            if (attempt >= 500 || !/not initialized/.test((err as Error).message)) throw err;
            await new Promise((r) => setTimeout(r, 20));
          }
        }
      };

      await launch(seeks);
      return {
        async stop() {
          stopped = true;
          clearTimeout(relaunch);
          const consumer = current;
          if (!consumer) return;
          consumers.delete(consumer);
          // A consumer in the middle of reconnecting may not answer a disconnect for long: bounded.
          await Promise.race([consumer.disconnect().catch(() => {}), new Promise((r) => setTimeout(r, 1500))]);
        },
      };
    },

    async close() {
      await Promise.all([...consumers].map((c) => c.disconnect().catch(() => {})));
      consumers.clear();
      const p = producer;
      producer = null;
      producerReady = null;
      await p?.disconnect().catch(() => {});
    },
  };
}
