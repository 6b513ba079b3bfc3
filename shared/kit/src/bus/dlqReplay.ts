/**
 * @module Puts dead letters back: reads `<topic>.dlq` up to its current end and republishes each
 * message to its original topic with its original key, value and headers. Safe to run at any
 * time: every consumer records handled event ids (the inbox), so a group that had already applied
 * an event ignores the copy, and the group that dead-lettered it applies it now.
 *
 *   bun shared/kit/src/bus/dlq.cli.ts replay ticket.created.dlq [--group assignment]
 */
import { Kafka, logLevel } from 'kafkajs';
import { DlqHeader } from './runner.ts';
import { topicPrefixFromEnv } from './topics.ts';

export interface ReplayOptions {
  brokers: string[];
  /** The dead-letter topic, e.g. `ticket.created.dlq`. */
  dlqTopic: string;
  /** Only the letters this consumer group dead-lettered (the `dlq-consumer-group` header). */
  group?: string;
  /** Stops waiting for the DLQ's current end after this long. */
  timeoutMs?: number;
  /** The topic namespace (see the Kafka bus); default env KAFKA_TOPIC_PREFIX. Topic names stay logical. */
  topicPrefix?: string;
}

export interface ReplayResult {
  replayed: number;
  /** Letters of other groups (with `group`), left for their own replay. */
  skipped: number;
}

const DLQ_HEADERS = new Set<string>(Object.values(DlqHeader));

export async function replayDeadLetters({ brokers, dlqTopic: logicalDlq, group, timeoutMs = 30_000, topicPrefix = topicPrefixFromEnv() }: ReplayOptions): Promise<ReplayResult> {
  if (!logicalDlq.endsWith('.dlq')) throw new Error(`${logicalDlq} is not a dead-letter topic (<topic>.dlq)`);
  const dlqTopic = topicPrefix + logicalDlq;
  const kafka = new Kafka({ clientId: 'syncro-dlq-replay', brokers, logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  // Its own committed position per DLQ and filter: a second replay does not repeat the first.
  const groupId = `syncro-dlq-replay.${dlqTopic}.${group ?? 'all'}`;
  // What is there now; letters that arrive during the replay wait for the next one.
  const ends = new Map((await admin.fetchTopicOffsets(dlqTopic)).map((p) => [p.partition, BigInt(p.high)]));
  // Where earlier replays stopped: a partition with nothing new sends no message to say so.
  const [committed] = await admin.fetchOffsets({ groupId, topics: [dlqTopic] });
  await admin.disconnect();
  const reached = new Map<number, bigint>((committed?.partitions ?? []).map((p) => [p.partition, BigInt(p.offset) - 1n]));

  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  const consumer = kafka.consumer({ groupId });
  const result: ReplayResult = { replayed: 0, skipped: 0 };
  const done = () => [...ends].every(([p, end]) => (reached.get(p) ?? -1n) + 1n >= end);
  const { promise: finished, resolve } = Promise.withResolvers<void>();

  await producer.connect();
  await consumer.connect();
  try {
    await consumer.subscribe({ topic: dlqTopic, fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ partition, message }) => {
        const offset = BigInt(message.offset);
        if (offset < (ends.get(partition) ?? 0n)) {
          const headers: Record<string, string> = {};
          for (const [k, v] of Object.entries(message.headers ?? {})) if (v !== undefined && !DLQ_HEADERS.has(k)) headers[k] = String(v);
          const from = message.headers?.[DlqHeader.group]?.toString();
          const original = topicPrefix + (message.headers?.[DlqHeader.topic]?.toString() ?? logicalDlq.slice(0, -'.dlq'.length));
          if (group && from !== group) result.skipped++;
          else {
            await producer.send({
              topic: original,
              messages: [{ key: message.key, value: message.value, headers: { ...headers, 'dlq-replayed-at': new Date().toISOString() } }],
            });
            result.replayed++;
          }
        }
        reached.set(partition, offset);
        if (done()) resolve();
      },
    });
    if (!done()) {
      let timer: Timer | undefined;
      const late = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`replay of ${logicalDlq} did not reach the end within ${timeoutMs} ms (replayed ${result.replayed})`)), timeoutMs);
      });
      await Promise.race([finished, late]).finally(() => clearTimeout(timer));
    }
    return result;
  } finally {
    await consumer.disconnect();
    await producer.disconnect();
  }
}
