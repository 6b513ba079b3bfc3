/**
 * @module A topic namespace of the bench's own on the machine's broker: every topic of
 * redpanda/topics.conf under `bench.<run>.`, created now and deleted at cleanup. The services the
 * bench spawns inherit `KAFKA_TOPIC_PREFIX` from this process, so a running system never sees
 * benchmark traffic (and a bench never reads the system's).
 */
import { deleteTopics, ensureTopics, readTopicDefinitions, withTopicPrefix } from '@syncro/kit/bus';
import { onCleanup } from './cleanup.ts';
import { KAFKA_BROKERS } from './env.ts';

export async function useBenchNamespace(): Promise<string> {
  const prefix = `bench.${crypto.randomUUID().slice(0, 8)}.`;
  process.env.KAFKA_TOPIC_PREFIX = prefix;
  const brokers = KAFKA_BROKERS.split(',');
  const topics = withTopicPrefix(readTopicDefinitions(), prefix);
  await ensureTopics(brokers, topics);
  onCleanup('bench topics', async () => void (await deleteTopics(brokers, topics.map((t) => t.name))));
  return prefix;
}
