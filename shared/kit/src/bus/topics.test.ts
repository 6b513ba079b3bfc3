/**
 * redpanda/topics.conf parsing (TS and the POSIX shell loop agree) and ensureTopics against a
 * real broker: KAFKA_BROKERS (default 127.0.0.1:9092, e.g. from infra/up.sh).
 */
import { afterAll, describe, expect, test } from 'bun:test';
import { resolve } from 'node:path';
import { ConfigResourceTypes, Kafka, logLevel } from 'kafkajs';
import {
  DEFAULT_TOPICS_FILE,
  brokersFromEnv,
  ensureTopics,
  parseTopicDefinitions,
  readTopicDefinitions,
  withTopicPrefix,
  type TopicDefinition,
} from './topics.ts';
import { eventually } from '@syncro/testing';

const SEVEN_DAYS = 7 * 24 * 3600 * 1000;
const THIRTY_DAYS = 30 * 24 * 3600 * 1000;
const EVENT_TOPICS = [
  'ticket.created',
  'ticket.status.updated',
  'ticket.assigned',
  'ticket.updated',
  'ticket.commented',
  'ticket.deleted',
  'project.created',
  'project.member.added',
  'project.member.removed',
  'user.created',
  'user.updated',
  'notification.created',
];

describe('parseTopicDefinitions', () => {
  test('the repo file defines every event topic and its .dlq', () => {
    const defs = readTopicDefinitions();
    expect(defs.map((d) => d.name).sort()).toEqual(EVENT_TOPICS.flatMap((t) => [t, `${t}.dlq`]).sort());
    for (const t of EVENT_TOPICS) {
      expect(defs.find((d) => d.name === t)).toEqual({ name: t, partitions: 3, retentionMs: SEVEN_DAYS, cleanupPolicy: 'delete' });
      expect(defs.find((d) => d.name === `${t}.dlq`)).toEqual({
        name: `${t}.dlq`,
        partitions: 1,
        retentionMs: THIRTY_DAYS,
        cleanupPolicy: 'delete',
      });
    }
  });

  test('comments, blank lines, tabs and CRLF', () => {
    const text = '# header\r\n\r\n  a.b\t2  1000 compact,delete  # trailing\r\nc 1 -1 compact\n';
    expect(parseTopicDefinitions(text)).toEqual([
      { name: 'a.b', partitions: 2, retentionMs: 1000, cleanupPolicy: 'compact,delete' },
      { name: 'c', partitions: 1, retentionMs: -1, cleanupPolicy: 'compact' },
    ]);
  });

  test.each([
    ['x 3 1000', /line 1: want/],
    ['x 3 1000 delete extra', /line 1: want/],
    ['\nx 0 1000 delete', /line 2: partitions/],
    ['x 3 7d delete', /retention_ms/],
    ['x 3 1000 forever', /cleanup_policy/],
    ['bad/name 3 1000 delete', /invalid topic name/],
    ['x 1 1 delete\nx 1 1 delete', /duplicate topic "x"/],
  ])('rejects %p', (text, message) => {
    expect(() => parseTopicDefinitions(text)).toThrow(message);
  });

  test('redpanda/apply-topics.sh reads the same file the same way', async () => {
    const script = resolve(DEFAULT_TOPICS_FILE, '../apply-topics.sh');
    const proc = Bun.spawn(['sh', script], {
      env: { ...process.env, APPLY_TOPICS_DRY_RUN: '1', KAFKA_REPLICATION_FACTOR: '1' },
      stdout: 'pipe',
      stderr: 'pipe',
    });
    const [out, code] = await Promise.all([new Response(proc.stdout).text(), proc.exited]);
    expect(code).toBe(0);
    const expected = readTopicDefinitions().map(
      (d) => `rpk topic create ${d.name} -p ${d.partitions} -r 1 -c retention.ms=${d.retentionMs} -c cleanup.policy=${d.cleanupPolicy}`,
    );
    expect(out.trim().split('\n')).toEqual(expected);
  });
});

describe('ensureTopics (real broker)', () => {
  const brokers = brokersFromEnv();
  const kafka = new Kafka({ clientId: 'topics-test', brokers, logLevel: logLevel.NOTHING, retry: { retries: 3 } });
  const admin = kafka.admin();
  const scratch = `syncro.test.topics.${Date.now().toString(36)}.${Math.random().toString(36).slice(2, 8)}`;

  // Every topic of topics.conf under a namespace of this test's own: never the running system's topics.
  const defs = withTopicPrefix(readTopicDefinitions(), `${scratch}.`);

  afterAll(async () => {
    await admin.deleteTopics({ topics: [scratch, ...defs.map((d) => d.name)] }).catch(() => {});
    await admin.disconnect();
  });

  test('applies redpanda/topics.conf idempotently; partition counts and configs match', async () => {
    const first = await ensureTopics(brokers, defs);
    expect(first.created).toEqual(defs.map((d) => d.name));
    // A topic just created may report its configs a moment late: applying again settles to "nothing
    // to do". One that kept needing changes (a real drift in what ensureTopics writes) never would.
    const second = await eventually('a second apply to change nothing', async () => {
      const r = await ensureTopics(brokers, defs);
      return r.updated.length === 0 ? r : null;
    }, 10_000);
    expect(second).toEqual({ created: [], updated: [], unchanged: defs.map((d) => d.name) });

    await admin.connect();
    const { topics } = await admin.fetchTopicMetadata({ topics: defs.map((d) => d.name) });
    const counts = Object.fromEntries(topics.map((t) => [t.name, t.partitions.length]));
    expect(counts).toEqual(Object.fromEntries(defs.map((d) => [d.name, d.partitions])));
    for (const t of topics) for (const p of t.partitions) expect(p.leader).toBeGreaterThanOrEqual(0);

    const described = await admin.describeConfigs({
      includeSynonyms: false,
      resources: defs.map((d) => ({ type: ConfigResourceTypes.TOPIC, name: d.name, configNames: ['retention.ms', 'cleanup.policy'] })),
    });
    for (const r of described.resources) {
      const d = defs.find((x) => x.name === r.resourceName) as TopicDefinition;
      const cfg = Object.fromEntries(r.configEntries.map((e) => [e.configName, e.configValue]));
      expect(cfg).toEqual({ 'retention.ms': String(d.retentionMs), 'cleanup.policy': d.cleanupPolicy });
    }
  });

  test('reconciles drift: adds partitions and resets configs of an existing topic', async () => {
    await ensureTopics(brokers, [{ name: scratch, partitions: 1, retentionMs: 60_000, cleanupPolicy: 'delete' }]);
    const lines: string[] = [];
    const r = await ensureTopics(brokers, [{ name: scratch, partitions: 4, retentionMs: 120_000, cleanupPolicy: 'compact,delete' }], {
      log: (l) => lines.push(l),
    });
    expect(r).toEqual({ created: [], updated: [scratch], unchanged: [] });
    expect(lines.join('\n')).toContain('partitions 1 -> 4');

    await admin.connect();
    const { topics } = await admin.fetchTopicMetadata({ topics: [scratch] });
    expect(topics[0]?.partitions.length).toBe(4);
    const described = await admin.describeConfigs({
      includeSynonyms: false,
      resources: [{ type: ConfigResourceTypes.TOPIC, name: scratch, configNames: ['retention.ms', 'cleanup.policy'] }],
    });
    const cfg = Object.fromEntries(described.resources[0]!.configEntries.map((e) => [e.configName, e.configValue]));
    expect(cfg).toEqual({ 'retention.ms': '120000', 'cleanup.policy': 'compact,delete' });

    // A definition with fewer partitions than the topic has is reported, never "fixed".
    const warn: string[] = [];
    await ensureTopics(brokers, [{ name: scratch, partitions: 2, retentionMs: 120_000, cleanupPolicy: 'compact,delete' }], {
      log: (l) => warn.push(l),
    });
    expect(warn.join('\n')).toContain('cannot shrink');
  });
});
