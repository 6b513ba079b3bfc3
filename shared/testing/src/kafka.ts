/**
 * @module A throwaway real Kafka broker for resilience tests: infra/kafka/kafka.sh on free
 * loopback ports with its own temp data dir, topics from redpanda/topics.conf applied.
 *
 *   const kafka = await startThrowawayKafka();      // ~1.5-3 s warm
 *   ... new Kafka({ brokers: kafka.brokers }) ...
 *   await kafka.stop();   // broker down (clean SIGTERM), data kept
 *   await kafka.start();  // same ports, same data: topics and messages are back
 *   await kafka.dispose(); // stop + delete the data dir (also: `await using kafka = ...`)
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { ensureTopics, readTopicDefinitions, topicPrefixFromEnv, withTopicPrefix, type TopicDefinition } from '../../kit/src/bus/topics.ts';
import { freePorts } from './ports.ts';

/** infra/kafka/kafka.sh of this repo (shared/testing/src -> repo root). */
export const KAFKA_SH = resolve(import.meta.dir, '../../../infra/kafka/kafka.sh');

export type ThrowawayKafkaOptions = {
  /**
   * Topics to create after the first start: default the repo's redpanda/topics.conf, under their
   * plain names and, when the test run has a namespace (KAFKA_TOPIC_PREFIX, which services started
   * by the test use), under it too; `false` for none.
   */
  topics?: TopicDefinition[] | false;
  /** JVM max heap, default 256m. */
  heap?: string;
  /** Seconds kafka.sh waits for readiness, default 90. */
  startTimeoutSec?: number;
};

export type ThrowawayKafka = {
  brokers: string[];
  port: number;
  controllerPort: number;
  dataDir: string;
  /** Stops the broker (SIGTERM, clean shutdown); data is kept. No-op when already stopped. */
  stop(): Promise<void>;
  /** Starts it again on the same ports with the same data; resolves once every topic has its leaders. */
  start(): Promise<void>;
  /** Stops it and deletes its data dir. Idempotent. */
  dispose(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
};

async function kafkaSh(args: string[], env: Record<string, string>): Promise<string> {
  const proc = Bun.spawn(['bash', KAFKA_SH, ...args], {
    env: { ...process.env, ...env },
    stdin: 'ignore',
    stdout: 'pipe',
    stderr: 'pipe',
  });
  const [out, err, code] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited]);
  if (code !== 0) throw new Error(`kafka.sh ${args.join(' ')} failed (exit ${code}):\n${err}${out}`);
  return out.trim();
}

export async function startThrowawayKafka(opts: ThrowawayKafkaOptions = {}): Promise<ThrowawayKafka> {
  const dataDir = mkdtempSync(join(tmpdir(), 'syncro-kafka-'));
  const [port, controllerPort] = freePorts(2) as [number, number];
  const brokers = [`127.0.0.1:${port}`];
  const args = ['--port', String(port), '--controller-port', String(controllerPort), '--data-dir', dataDir];
  const env = { KAFKA_HEAP: opts.heap ?? '256m', KAFKA_START_TIMEOUT: String(opts.startTimeoutSec ?? 90) };

  // If the test process dies without dispose(), do not leave a detached JVM behind.
  const killOnExit = () => {
    try {
      const pid = Number(readFileSync(join(dataDir, 'kafka.pid'), 'utf8').trim());
      if (pid > 0) process.kill(pid, 'SIGKILL');
    } catch {}
    rmSync(dataDir, { recursive: true, force: true });
  };
  process.once('exit', killOnExit);

  let disposed = false;
  const plain = readTopicDefinitions();
  const prefix = topicPrefixFromEnv();
  const topics = opts.topics === false ? [] : (opts.topics ?? (prefix ? [...plain, ...withTopicPrefix(plain, prefix)] : plain));
  let created = false;
  const start = async () => {
    if (disposed) throw new Error('throwaway Kafka already disposed');
    await kafkaSh([...args, 'start'], env);
    // After a restart the broker serves metadata before every partition has its leader back.
    if (created) await ensureTopics(brokers, topics, { replicationFactor: 1 });
  };
  const stop = async () => {
    if (disposed) return;
    await kafkaSh([...args, 'stop'], env);
  };
  const dispose = async () => {
    if (disposed) return;
    try {
      await kafkaSh([...args, 'stop'], env);
    } finally {
      disposed = true;
      process.off('exit', killOnExit);
      rmSync(dataDir, { recursive: true, force: true });
    }
  };

  try {
    await start();
    if (topics.length > 0) await ensureTopics(brokers, topics, { replicationFactor: 1 });
    created = true;
  } catch (err) {
    await dispose().catch(() => {});
    throw err;
  }
  return { brokers, port, controllerPort, dataDir, stop, start, dispose, [Symbol.asyncDispose]: dispose };
}
