/**
 * @module Topic definitions: the one list in redpanda/topics.conf, parsed here and
 * applied to a real broker with the kafkajs admin client (dev, tests, CI; the command line is
 * topics.cli.ts). The compose stack applies the same file with rpk (redpanda/apply-topics.sh).
 * A namespace (KAFKA_TOPIC_PREFIX) puts a whole copy of the topics beside the real ones.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { ConfigResourceTypes, Kafka, logLevel, type Admin } from 'kafkajs';

export type TopicDefinition = {
  name: string;
  partitions: number;
  /** retention.ms; -1 keeps forever. */
  retentionMs: number;
  /** cleanup.policy: delete | compact | compact,delete */
  cleanupPolicy: string;
};

export type EnsureTopicsOptions = {
  /** Replicas per topic; default env KAFKA_REPLICATION_FACTOR or 1. */
  replicationFactor?: number;
  /** Overall budget for creating topics and waiting for their leaders (ms). Default 30 000. */
  timeoutMs?: number;
  clientId?: string;
  /** Progress lines ("created x", "updated y"); default: silent. */
  log?: (line: string) => void;
};

export type EnsureTopicsResult = { created: string[]; updated: string[]; unchanged: string[] };

/** redpanda/topics.conf of this repo (shared/kit/src/bus -> repo root). */
export const DEFAULT_TOPICS_FILE = resolve(import.meta.dir, '../../../../redpanda/topics.conf');

const TOPIC_NAME = /^[A-Za-z0-9._-]{1,249}$/;
const CLEANUP_POLICIES = new Set(['delete', 'compact', 'compact,delete', 'delete,compact']);

/**
 * Parses the topics.conf format: one topic per line, `name partitions retention_ms cleanup_policy`
 * separated by spaces/tabs; `#` starts a comment; blank lines are skipped. Throws on anything else.
 */
export function parseTopicDefinitions(text: string): TopicDefinition[] {
  const defs: TopicDefinition[] = [];
  const seen = new Set<string>();
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.replace(/#.*/, '').trim();
    if (!line) return;
    const where = `topics.conf line ${i + 1}`;
    const fields = line.split(/\s+/);
    if (fields.length !== 4) {
      throw new Error(`${where}: want "name partitions retention_ms cleanup_policy", got "${line}"`);
    }
    const [name, partitions, retention, policy] = fields as [string, string, string, string];
    if (!TOPIC_NAME.test(name) || name === '.' || name === '..') throw new Error(`${where}: invalid topic name "${name}"`);
    if (seen.has(name)) throw new Error(`${where}: duplicate topic "${name}"`);
    if (!/^[1-9][0-9]*$/.test(partitions)) throw new Error(`${where}: partitions must be a positive integer, got "${partitions}"`);
    if (!/^(-1|[0-9]+)$/.test(retention)) throw new Error(`${where}: retention_ms must be an integer >= -1, got "${retention}"`);
    if (!CLEANUP_POLICIES.has(policy)) throw new Error(`${where}: cleanup_policy must be delete|compact|compact,delete, got "${policy}"`);
    seen.add(name);
    defs.push({ name, partitions: Number(partitions), retentionMs: Number(retention), cleanupPolicy: policy });
  });
  return defs;
}

/** Reads and parses a topics file (default: the repo's redpanda/topics.conf). */
export function readTopicDefinitions(path: string = DEFAULT_TOPICS_FILE): TopicDefinition[] {
  return parseTopicDefinitions(readFileSync(path, 'utf8'));
}

const configEntries = (d: TopicDefinition) => [
  { name: 'retention.ms', value: String(d.retentionMs) },
  { name: 'cleanup.policy', value: d.cleanupPolicy },
];

function envReplicationFactor(): number {
  const raw = process.env.KAFKA_REPLICATION_FACTOR;
  if (raw === undefined || raw === '') return 1;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1) throw new Error(`KAFKA_REPLICATION_FACTOR must be a positive integer, got "${raw}"`);
  return n;
}

/**
 * Makes the broker match the definitions; idempotent and safe to run concurrently.
 * - missing topics are created (partitions, replication factor, retention.ms, cleanup.policy);
 * - existing topics with fewer partitions get more (Kafka cannot shrink: more is reported, not changed);
 * - existing topics whose retention.ms / cleanup.policy differ get them set (AlterConfigs);
 * - then waits until every partition of every defined topic has a leader.
 */
export async function ensureTopics(
  brokers: string[],
  defs: TopicDefinition[] = readTopicDefinitions(),
  options: EnsureTopicsOptions = {},
): Promise<EnsureTopicsResult> {
  const replicationFactor = options.replicationFactor ?? envReplicationFactor();
  const timeoutMs = options.timeoutMs ?? 30_000;
  const log = options.log ?? (() => {});
  const kafka = new Kafka({
    clientId: options.clientId ?? 'syncro-topics',
    brokers,
    connectionTimeout: 3_000,
    requestTimeout: Math.max(10_000, timeoutMs),
    retry: { retries: 8, initialRetryTime: 200, maxRetryTime: 3_000 },
    logLevel: logLevel.NOTHING,
  });
  const admin = kafka.admin();
  await admin.connect();
  try {
    const result: EnsureTopicsResult = { created: [], updated: [], unchanged: [] };
    const existing = new Set(await admin.listTopics());
    const missing = defs.filter((d) => !existing.has(d.name));
    if (missing.length > 0) {
      // false = someone else created them meanwhile (TOPIC_ALREADY_EXISTS): fine, reconciled below.
      await admin.createTopics({
        waitForLeaders: true,
        timeout: timeoutMs,
        topics: missing.map((d) => ({
          topic: d.name,
          numPartitions: d.partitions,
          replicationFactor,
          configEntries: configEntries(d),
        })),
      });
      for (const d of missing) {
        result.created.push(d.name);
        log(`created ${d.name} (partitions=${d.partitions} retention.ms=${d.retentionMs} cleanup.policy=${d.cleanupPolicy})`);
      }
    }
    const present = defs.filter((d) => existing.has(d.name));
    if (present.length > 0) await reconcile(admin, present, result, log);
    await waitForLeaders(admin, defs, timeoutMs);
    return result;
  } finally {
    await admin.disconnect();
  }
}

async function reconcile(
  admin: Admin,
  defs: TopicDefinition[],
  result: EnsureTopicsResult,
  log: (line: string) => void,
): Promise<void> {
  const { topics } = await admin.fetchTopicMetadata({ topics: defs.map((d) => d.name) });
  const partitionCount = new Map(topics.map((t) => [t.name, t.partitions.length]));
  const described = await admin.describeConfigs({
    includeSynonyms: false,
    resources: defs.map((d) => ({
      type: ConfigResourceTypes.TOPIC,
      name: d.name,
      configNames: ['retention.ms', 'cleanup.policy'],
    })),
  });
  const configs = new Map(
    described.resources.map((r) => [r.resourceName, new Map(r.configEntries.map((e) => [e.configName, e.configValue]))]),
  );
  for (const d of defs) {
    let changed = false;
    const have = partitionCount.get(d.name) ?? 0;
    if (have < d.partitions) {
      await admin.createPartitions({ topicPartitions: [{ topic: d.name, count: d.partitions }] });
      log(`updated ${d.name}: partitions ${have} -> ${d.partitions}`);
      changed = true;
    } else if (have > d.partitions) {
      log(`warning: ${d.name} has ${have} partitions, topics.conf says ${d.partitions} (Kafka cannot shrink; left alone)`);
    }
    const cfg = configs.get(d.name);
    if (cfg?.get('retention.ms') !== String(d.retentionMs) || cfg?.get('cleanup.policy') !== d.cleanupPolicy) {
      await admin.alterConfigs({
        validateOnly: false,
        resources: [{ type: ConfigResourceTypes.TOPIC, name: d.name, configEntries: configEntries(d) }],
      });
      log(
        `updated ${d.name}: retention.ms ${cfg?.get('retention.ms')} -> ${d.retentionMs}, ` +
          `cleanup.policy ${cfg?.get('cleanup.policy')} -> ${d.cleanupPolicy}`,
      );
      changed = true;
    }
    (changed ? result.updated : result.unchanged).push(d.name);
  }
}

async function waitForLeaders(admin: Admin, defs: TopicDefinition[], timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const names = defs.map((d) => d.name);
  let lastProblem = '';
  while (true) {
    try {
      const { topics } = await admin.fetchTopicMetadata({ topics: names });
      const byName = new Map(topics.map((t) => [t.name, t]));
      const notReady = defs.filter((d) => {
        const t = byName.get(d.name);
        return !t || t.partitions.length < d.partitions || t.partitions.some((p) => p.leader < 0);
      });
      if (notReady.length === 0) return;
      lastProblem = `no leader yet for ${notReady.map((d) => d.name).join(', ')}`;
    } catch (err) {
      lastProblem = err instanceof Error ? err.message : String(err);
    }
    if (Date.now() > deadline) throw new Error(`topics not ready after ${timeoutMs} ms: ${lastProblem}`);
    await Bun.sleep(200);
  }
}

/** The topic namespace of this process: KAFKA_TOPIC_PREFIX, empty (the real topics) if unset. */
export function topicPrefixFromEnv(env: Record<string, string | undefined> = process.env): string {
  const prefix = env.KAFKA_TOPIC_PREFIX ?? '';
  if (prefix && !/^[A-Za-z0-9._-]{1,100}$/.test(prefix)) throw new Error(`KAFKA_TOPIC_PREFIX may hold only letters, digits, '.', '_' and '-', got "${prefix}"`);
  return prefix;
}

/** The same definitions under a namespace: `<prefix><name>`. */
export const withTopicPrefix = (defs: TopicDefinition[], prefix: string): TopicDefinition[] =>
  defs.map((d) => ({ ...d, name: prefix + d.name }));

/** Deletes the named topics that exist (the end of a test run's namespace); the others are ignored. */
export async function deleteTopics(brokers: string[], names: string[], options: { timeoutMs?: number } = {}): Promise<string[]> {
  const kafka = new Kafka({ clientId: 'syncro-topics', brokers, connectionTimeout: 3_000, retry: { retries: 3 }, logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  try {
    const existing = new Set(await admin.listTopics());
    const doomed = names.filter((n) => existing.has(n));
    if (doomed.length > 0) await admin.deleteTopics({ topics: doomed, timeout: options.timeoutMs ?? 30_000 });
    return doomed;
  } finally {
    await admin.disconnect();
  }
}

/** KAFKA_BROKERS ("host:port,host:port") or 127.0.0.1:9092. */
export function brokersFromEnv(env: Record<string, string | undefined> = process.env): string[] {
  return (env.KAFKA_BROKERS || '127.0.0.1:9092')
    .split(',')
    .map((b) => b.trim())
    .filter(Boolean);
}
