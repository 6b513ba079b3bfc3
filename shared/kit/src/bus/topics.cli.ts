/**
 * @module Applies redpanda/topics.conf to a broker.
 *
 *   bun shared/kit/src/bus/topics.cli.ts [--file PATH] [--dry-run]
 *
 * Applies the definitions to KAFKA_BROKERS (comma-separated, default 127.0.0.1:9092) with
 * KAFKA_REPLICATION_FACTOR replicas (default 1), under the namespace KAFKA_TOPIC_PREFIX if set;
 * prints what it created/updated.
 */
import { resolve } from 'node:path';
import { brokersFromEnv, DEFAULT_TOPICS_FILE, ensureTopics, readTopicDefinitions, topicPrefixFromEnv, withTopicPrefix } from './topics.ts';

const args = process.argv.slice(2);
let file = DEFAULT_TOPICS_FILE;
let dryRun = false;
for (let i = 0; i < args.length; i++) {
  const a = args[i];
  if (a === '--file' && args[i + 1]) file = resolve(args[++i] as string);
  else if (a?.startsWith('--file=')) file = resolve(a.slice('--file='.length));
  else if (a === '--dry-run') dryRun = true;
  else {
    console.error('usage: bun shared/kit/src/bus/topics.cli.ts [--file PATH] [--dry-run]   (env KAFKA_BROKERS, KAFKA_REPLICATION_FACTOR, KAFKA_TOPIC_PREFIX)');
    process.exit(2);
  }
}
try {
  const defs = withTopicPrefix(readTopicDefinitions(file), topicPrefixFromEnv());
  if (dryRun) {
    for (const d of defs) console.log(`${d.name} partitions=${d.partitions} retention.ms=${d.retentionMs} cleanup.policy=${d.cleanupPolicy}`);
    process.exit(0);
  }
  const brokers = brokersFromEnv();
  const t0 = performance.now();
  const r = await ensureTopics(brokers, defs, { log: (l) => console.log(`[topics] ${l}`) });
  console.log(
    `[topics] ${defs.length} topics on ${brokers.join(',')}: ${r.created.length} created, ` +
      `${r.updated.length} updated, ${r.unchanged.length} unchanged (${Math.round(performance.now() - t0)} ms)`,
  );
  process.exit(0);
} catch (err) {
  console.error(`[topics] ERROR: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
}
