/**
 * @module Runs once per `bun test` process (bunfig.toml `[test] preload`): gives the run its own
 * namespace on the broker, so the running system (the start command's services, which use no
 * prefix) never sees test traffic. Sets KAFKA_TOPIC_PREFIX (inherited by every service a test
 * starts, in process or as a child), creates redpanda/topics.conf's topics under it before the
 * first test and deletes them after the last. Namespaces that a killed run left behind are
 * deleted once they are a few hours old.
 */
import { afterAll } from 'bun:test';
import { Kafka, logLevel } from 'kafkajs';
import { brokersFromEnv, deleteTopics, ensureTopics, readTopicDefinitions, withTopicPrefix } from '../../kit/src/bus/topics.ts';

const NAMESPACE = /^test\.([0-9a-z]+)-[0-9a-z]+\./;
const STALE_MS = 6 * 3_600_000;

const ours = !process.env.KAFKA_TOPIC_PREFIX;
if (ours) process.env.KAFKA_TOPIC_PREFIX = `test.${Date.now().toString(36)}-${crypto.randomUUID().slice(0, 6)}.`;
const prefix = process.env.KAFKA_TOPIC_PREFIX!;
const brokers = brokersFromEnv();
const defs = withTopicPrefix(readTopicDefinitions(), prefix);

/** Topics of earlier runs that died before their cleanup (the timestamp is in the name). */
async function staleNamespaces(): Promise<string[]> {
  const admin = new Kafka({ clientId: 'syncro-test-preload', brokers, logLevel: logLevel.NOTHING, retry: { retries: 2 } }).admin();
  await admin.connect();
  try {
    return (await admin.listTopics()).filter((t) => {
      const m = NAMESPACE.exec(t);
      return m && !t.startsWith(prefix) && Date.now() - parseInt(m[1]!, 36) > STALE_MS;
    });
  } finally {
    await admin.disconnect();
  }
}

/**
 * Metadata names a partition's leader before that broker serves it (KRaft, under load): a first
 * ListOffsets (a collector or a consumer starting at the end) then fails NOT_LEADER_FOR_PARTITION
 * in the run's first test file. Wait until every topic of the run answers one.
 */
async function offsetsServed(timeoutMs = 20_000) {
  const admin = new Kafka({ clientId: 'syncro-test-preload', brokers, logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  try {
    const deadline = Date.now() + timeoutMs;
    for (const { name } of defs) {
      for (;;) {
        try {
          await admin.fetchTopicOffsets(name);
          break;
        } catch (err) {
          if (Date.now() > deadline) throw err;
          await Bun.sleep(200);
        }
      }
    }
  } finally {
    await admin.disconnect();
  }
}

let created = false;
try {
  await ensureTopics(brokers, defs);
  created = true;
  await offsetsServed();
  const stale = await staleNamespaces();
  if (stale.length > 0) await deleteTopics(brokers, stale);
} catch (err) {
  // Tests that need no broker still run; those that do fail on their own with the reason.
  console.warn(`[preload] cannot create the test topics under ${prefix} on ${brokers.join(',')}: ${(err as Error).message}`);
}

afterAll(async () => {
  if (!ours || !created) return;
  await deleteTopics(
    brokers,
    defs.map((d) => d.name),
  ).catch((err) => console.warn(`[preload] cannot delete the test topics under ${prefix}: ${(err as Error).message}`));
});
