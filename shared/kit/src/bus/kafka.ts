/** @module The kafkajs adapter of the bus port: idempotent, ordered producer; one consumer per group. */
import { Kafka, Partitioners, logLevel, type Admin, type Consumer, type EachBatchPayload, type Producer } from 'kafkajs';
import type { Logger } from '../log/index.ts';
import type { EventBus, IncomingMessage, OutgoingMessage, SubscribeOptions, Subscription } from './port.ts';
import { topicPrefixFromEnv } from './topics.ts';

export interface KafkaBusOptions {
  brokers: string[];
  clientId: string;
  logger: Logger;
  /**
   * The namespace on the broker: every topic this bus touches is `<prefix><topic>`, while callers
   * keep the logical names. Default env KAFKA_TOPIC_PREFIX, empty in production; a test run sets
   * its own so the running system never sees test traffic.
   */
  topicPrefix?: string;
}

function headersToStrings(headers: Record<string, unknown> | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers ?? {})) {
    if (v === undefined) continue;
    out[k] = Array.isArray(v) ? String(v[0]) : Buffer.isBuffer(v) ? v.toString('utf8') : String(v);
  }
  return out;
}

/** How long `/health` waits for the broker before calling it away. */
const PROBE_TIMEOUT_MS = 1000;
/** A probe answer is reused this long: a burst of health requests costs one round trip. */
const PROBE_CACHE_MS = 250;

const withTimeout = <T>(p: Promise<T>, ms: number, what: string) => {
  let timer: Timer | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no answer within ${ms} ms`)), ms);
  });
  return Promise.race([p, late]).finally(() => clearTimeout(timer));
};

export function createKafkaBus({ brokers, clientId, logger, topicPrefix = topicPrefixFromEnv() }: KafkaBusOptions): EventBus {
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
  const physical = (topic: string) => topicPrefix + topic;
  const logical = (topic: string) => (topicPrefix && topic.startsWith(topicPrefix) ? topic.slice(topicPrefix.length) : topic);

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

  // The health probe has its own client without retries: kafkajs' own would hide an outage for seconds.
  const probeKafka = new Kafka({
    clientId: `${clientId}-probe`,
    brokers,
    connectionTimeout: PROBE_TIMEOUT_MS,
    requestTimeout: PROBE_TIMEOUT_MS,
    retry: { retries: 0 },
    logLevel: logLevel.NOTHING,
  });
  let probeAdmin: Admin | null = null;
  let lastProbe: { at: number; result: Promise<void> } | null = null;
  const probe = () => {
    if (lastProbe && performance.now() - lastProbe.at < PROBE_CACHE_MS) return lastProbe.result;
    const result = (async () => {
      try {
        if (!probeAdmin) {
          const admin = probeKafka.admin();
          await withTimeout(admin.connect(), PROBE_TIMEOUT_MS, 'kafka connect');
          probeAdmin = admin;
        }
        await withTimeout(probeAdmin.describeCluster(), PROBE_TIMEOUT_MS, 'kafka');
      } catch (err) {
        // A connection that saw the broker go may stay half-dead: the next probe starts afresh.
        const admin = probeAdmin;
        probeAdmin = null;
        void admin?.disconnect().catch(() => {});
        throw new Error(`broker unreachable: ${(err as Error).message}`);
      }
    })();
    lastProbe = { at: performance.now(), result };
    result.catch(() => {});
    return result;
  };

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
        const topic = physical(m.topic);
        if (last?.topic === topic) last.messages.push(entry);
        else topicMessages.push({ topic, messages: [entry] });
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

    async subscribe(opts: SubscribeOptions): Promise<Subscription> {
      /** How long a batch may take inside kafkajs' fetch round before it is moved off it (paused). */
      const INLINE_BUDGET_MS = 25;
      const { groupId, fromBeginning = true, fromNow = false, concurrency = 8, handle } = opts;
      const topics = opts.topics.map(physical);
      const seeks = fromNow ? await uncommittedEnds(groupId, topics) : [];
      let stopped = false;
      let current: Consumer | null = null;
      let relaunch: ReturnType<typeof setTimeout> | undefined;
      /** Membership as kafkajs reports it: joined, then lost on a crash, a rebalance or a stop. */
      let member = false;
      let lastHeartbeat = 0;
      const resumeTimers = new Set<Timer>();
      const inFlight = new Set<Promise<void>>();

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
        const mine = (f: () => void) => () => current === consumer && f();
        consumer.on(consumer.events.GROUP_JOIN, mine(() => ((member = true), (lastHeartbeat = performance.now()))));
        consumer.on(consumer.events.HEARTBEAT, mine(() => (lastHeartbeat = performance.now())));
        consumer.on(consumer.events.REBALANCING, mine(() => (member = false)));
        consumer.on(consumer.events.STOP, mine(() => (member = false)));
        consumer.on(consumer.events.CRASH, ({ payload }) => {
          if (current === consumer) member = false;
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
        /**
         * One partition's batch, in order; offsets are resolved and committed as messages are done.
         * Resolves with how long the partition must wait before its next fetch (0: at once), for a
         * message that is not done yet and will be tried again.
         */
        const work = async (
          batch: EachBatchPayload['batch'],
          resolveOffset: (offset: string) => void,
          isStale: () => boolean,
        ): Promise<number> => {
          let retryInMs = 0;
          let done: string | null = null;
          try {
            for (const message of batch.messages) {
              if (stopped || current !== consumer || isStale()) break;
              const incoming: IncomingMessage = {
                topic: logical(batch.topic),
                partition: batch.partition,
                offset: message.offset,
                key: message.key?.toString('utf8') ?? null,
                value: message.value?.toString('utf8') ?? null,
                headers: headersToStrings(message.headers),
              };
              let outcome: Awaited<ReturnType<typeof handle>>;
              try {
                outcome = await handle(incoming);
              } catch (err) {
                log.warn('message handling failed; retrying it', { groupId, topic: incoming.topic, partition: batch.partition, offset: message.offset, err });
                outcome = { retryInMs: 1000 };
              }
              // Not done: the partition's next fetch starts again at this message (it is not resolved).
              if (outcome) {
                retryInMs = outcome.retryInMs;
                break;
              }
              resolveOffset(message.offset);
              done = message.offset;
            }
            if (done !== null && !stopped && current === consumer) {
              await consumer.commitOffsets([{ topic: batch.topic, partition: batch.partition, offset: String(BigInt(done) + 1n) }]).catch((err) => {
                // Committed with the next batch, or redelivered after a rebalance (the inbox deduplicates).
                log.debug('commit after a batch failed', { groupId, topic: batch.topic, partition: batch.partition, err });
              });
            }
          } catch (err) {
            log.warn('batch failed; its partition waits and is fetched again', { groupId, topic: batch.topic, partition: batch.partition, err });
            retryInMs = 1000;
          }
          return retryInMs;
        };
        const resumeAfter = (resume: () => void, ms: number) => {
          if (ms <= 0) return resume();
          const timer = setTimeout(() => {
            resumeTimers.delete(timer);
            resume();
          }, ms);
          resumeTimers.add(timer);
        };
        await consumer.run({
          // The batches are handed to `work` and kafkajs goes on fetching: the concurrency is ours (below).
          partitionsConsumedConcurrently: concurrency,
          // The position advances only past messages that are done: one to retry later stays next.
          eachBatchAutoResolve: false,
          eachBatch: async ({ batch, resolveOffset, pause, isStale }) => {
            // Back-pressure: at most `concurrency` partitions are worked on at once.
            while (inFlight.size >= concurrency) await Promise.race(inFlight);
            const job = work(batch, resolveOffset, isStale);
            const tracked: Promise<void> = job.then(() => undefined).finally(() => inFlight.delete(tracked));
            inFlight.add(tracked);
            // kafkajs fetches again only when every batch of a round is done, so a handler that
            // hangs (a lock wait, a slow dependency) would hold up every partition. Most batches are
            // done in a few ms: waiting for those here keeps the next fetch, and so the next message,
            // prompt (pausing every batch made each one wait out a whole fetch, up to maxWaitTimeInMs).
            // A batch still busy after INLINE_BUDGET_MS is paused and finishes off the fetch loop; a
            // message to try again later pauses its partition for the wait.
            const quick = await Promise.race([job, Bun.sleep(INLINE_BUDGET_MS).then(() => null)]);
            if (quick === null) {
              const resume = pause();
              void job.then((ms) => resumeAfter(resume, ms));
            } else if (quick > 0) {
              resumeAfter(pause(), quick);
            }
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
        async check() {
          if (!member) throw new Error(`not a member of consumer group ${groupId}`);
          // Heartbeats every second; five missed ones mean the coordinator is gone for us (a slow handler delays them too).
          if (performance.now() - lastHeartbeat > 5000) throw new Error(`no heartbeat of group ${groupId} for ${Math.round(performance.now() - lastHeartbeat)} ms`);
          await probe();
        },
        async stop() {
          stopped = true;
          member = false;
          clearTimeout(relaunch);
          for (const t of resumeTimers) clearTimeout(t);
          resumeTimers.clear();
          const consumer = current;
          if (!consumer) return;
          consumers.delete(consumer);
          // Handlers under way finish (each stops after its current message), within the same bound.
          await Promise.race([Promise.all(inFlight), new Promise((r) => setTimeout(r, 1500))]);
          // A consumer in the middle of reconnecting may not answer a disconnect for long: bounded.
          await Promise.race([consumer.disconnect().catch(() => {}), new Promise((r) => setTimeout(r, 1500))]);
        },
      };
    },

    check: probe,

    async close() {
      await Promise.all([...consumers].map((c) => c.disconnect().catch(() => {})));
      consumers.clear();
      const p = producer;
      producer = null;
      producerReady = null;
      await p?.disconnect().catch(() => {});
      const admin = probeAdmin;
      probeAdmin = null;
      await admin?.disconnect().catch(() => {});
    },
  };
}
