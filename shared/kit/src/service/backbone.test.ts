/**
 * The backbone's health on a throwaway broker: once the broker is gone, `kafka` and `consumer`
 * say so within about a second (not when a publish or a session times out), and recover when it
 * is back.
 */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { createTestDatabase } from '@syncro/testing/db';
import { startThrowawayKafka, type ThrowawayKafka } from '@syncro/testing/kafka';
import { eventually } from '@syncro/testing';
import { serviceContext } from './index.ts';
import { startBackbone, type Backbone } from './backbone.ts';

// The table every service migration creates (outbox/table.ts), as one embedded migration.
const migrations = {
  'meta/_journal.json': JSON.stringify({ version: '7', dialect: 'postgresql', entries: [{ idx: 0, version: '7', when: 1700000000000, tag: '0000_outbox', breakpoints: true }] }),
  '0000_outbox.sql': `create table outbox (
  seq bigserial primary key, id uuid not null unique, aggregatetype text not null, aggregateid text not null,
  type text not null, partition_key text not null, stream_version bigint, payload jsonb not null,
  headers jsonb not null, created_at timestamptz not null default now(), published_at timestamptz);`,
};

let kafka: ThrowawayKafka;
let db: Awaited<ReturnType<typeof createTestDatabase>>;
let backbone: Backbone<Record<string, never>>;
beforeAll(async () => {
  kafka = await startThrowawayKafka();
  db = await createTestDatabase('backbone_test');
  backbone = await startBackbone(serviceContext('backbone-test'), {
    name: 'backbone-test',
    config: {
      DATABASE_URL: db.url,
      DB_POOL_MAX: 4,
      KAFKA_BROKERS: kafka.brokers,
      OUTBOX_POLL_MS: 200,
      KAFKA_GROUP_ID: `backbone-${crypto.randomUUID()}`,
      KAFKA_OFFSET_RESET: 'latest',
      CONSUMER_MAX_ATTEMPTS: 5,
      CONSUMER_MAX_BACKOFF_MS: 1000,
      CONSUMER_PARTITION_CONCURRENCY: 8,
    },
    migrations,
    schema: {},
    handlers: () => ({ 'user.created': async () => {} }),
  });
  await backbone.consumer!.ready;
}, 120_000);
// Stopping a consumer and a broker under load takes longer than the default 5 s hook budget.
afterAll(async () => {
  await backbone?.stop();
  await db?.drop();
  await kafka?.dispose();
}, 60_000);

const healthy = async (name: 'kafka' | 'consumer') =>
  backbone.checks[name]!.check().then(
    () => true,
    () => false,
  );

describe('backbone health', () => {
  test('a lost broker shows in kafka and consumer within about a second; both recover when it is back', async () => {
    await eventually('healthy at first', async () => (await healthy('kafka')) && (await healthy('consumer')), 30_000);
    // Polled as a load balancer would, from before the stop until both report the loss.
    const lost: Partial<Record<'kafka' | 'consumer', number>> = {};
    let polling = true;
    const poller = (async () => {
      while (polling) {
        for (const name of ['kafka', 'consumer'] as const) if (lost[name] === undefined && !(await healthy(name))) lost[name] = performance.now();
        await Bun.sleep(50);
      }
    })();
    await kafka.stop();
    const gone = performance.now();
    await eventually('both checks to report the loss', () => lost.kafka !== undefined && lost.consumer !== undefined, 10_000);
    polling = false;
    await poller;
    expect(lost.kafka! - gone).toBeLessThan(1500);
    expect(lost.consumer! - gone).toBeLessThan(1500);

    await kafka.start();
    await eventually('both healthy again', async () => (await healthy('kafka')) && (await healthy('consumer')), 60_000);
  }, 120_000);
});
