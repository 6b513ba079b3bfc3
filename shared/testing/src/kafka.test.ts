/** The throwaway Kafka is a real broker that really goes down and comes back with its data. */
import { afterAll, expect, test } from 'bun:test';
import { existsSync } from 'node:fs';
import { Kafka, logLevel, Partitioners, type KafkaMessage } from 'kafkajs';
import { startThrowawayKafka, type ThrowawayKafka } from './kafka.ts';

let kafka: ThrowawayKafka | undefined;
afterAll(() => kafka?.dispose());

/** Impatient by default, to prove "unreachable" quickly; patient for reading after a restart. */
const client = (brokers: string[], patient = false) =>
  new Kafka({
    clientId: 'throwaway-kafka-test',
    brokers,
    logLevel: logLevel.NOTHING,
    connectionTimeout: 1000,
    retry: patient ? { retries: 8, initialRetryTime: 100, maxRetryTime: 2000 } : { retries: 1, initialRetryTime: 100, maxRetryTime: 200 },
  });

/** Reads `count` messages of `topic` from the beginning with a fresh consumer group. */
async function readFromBeginning(brokers: string[], topic: string, count: number): Promise<string[]> {
  // A just-restarted broker may still be loading its group coordinator: a consumer must be patient.
  const consumer = client(brokers, true).consumer({ groupId: `g-${crypto.randomUUID()}` });
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    const got: string[] = [];
    const { promise, resolve } = Promise.withResolvers<void>();
    await consumer.run({
      eachMessage: async ({ message }: { message: KafkaMessage }) => {
        got.push(message.value?.toString() ?? '');
        if (got.length >= count) resolve();
      },
    });
    await Promise.race([promise, Bun.sleep(20_000).then(() => Promise.reject(new Error(`only ${got.length}/${count} messages`)))]);
    return got;
  } finally {
    await consumer.disconnect();
  }
}

test('start, produce/consume, stop -> unreachable, start -> same data, dispose', async () => {
  kafka = await startThrowawayKafka();
  expect(kafka.brokers).toEqual([`127.0.0.1:${kafka.port}`]);
  expect(kafka.port).not.toBe(9092);

  const admin = client(kafka.brokers).admin();
  await admin.connect();
  const { topics } = await admin.fetchTopicMetadata({ topics: ['ticket.created', 'ticket.created.dlq'] });
  expect(Object.fromEntries(topics.map((t) => [t.name, t.partitions.length]))).toEqual({ 'ticket.created': 3, 'ticket.created.dlq': 1 });
  await admin.disconnect();

  // Right after start the broker may still be electing partition leaders (NOT_LEADER_FOR_PARTITION):
  // producing is patient; only the "unreachable" checks are impatient.
  const producer = client(kafka.brokers, true).producer({ createPartitioner: Partitioners.DefaultPartitioner });
  await producer.connect();
  await producer.send({ topic: 'ticket.created', messages: [{ key: 't1', value: 'before-restart' }] });
  await producer.disconnect();
  expect(await readFromBeginning(kafka.brokers, 'ticket.created', 1)).toEqual(['before-restart']);

  await kafka.stop();
  const down = client(kafka.brokers).admin();
  await expect(down.connect()).rejects.toThrow();
  await kafka.stop(); // already stopped: no-op

  await kafka.start();
  const again = client(kafka.brokers, true).producer({ createPartitioner: Partitioners.DefaultPartitioner });
  await again.connect();
  await again.send({ topic: 'ticket.created', messages: [{ key: 't1', value: 'after-restart' }] });
  await again.disconnect();
  // Same key -> same partition -> order kept; the first message survived the restart.
  expect(await readFromBeginning(kafka.brokers, 'ticket.created', 2)).toEqual(['before-restart', 'after-restart']);

  const dataDir = kafka.dataDir;
  await kafka.dispose();
  expect(existsSync(dataDir)).toBe(false);
  const gone = client(kafka.brokers).admin();
  await expect(gone.connect()).rejects.toThrow();
  await kafka.dispose(); // idempotent
}, 120_000);

test('topics: false gives a bare broker (beside any other broker)', async () => {
  await using bare = await startThrowawayKafka({ topics: false });
  const admin = client(bare.brokers).admin();
  await admin.connect();
  expect((await admin.listTopics()).filter((t) => !t.startsWith('__'))).toEqual([]);
  await admin.disconnect();
}, 120_000);
