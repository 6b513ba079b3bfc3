/**
 * A backbone given the process's bus (the all-in-one embedded default): its relay publishes on that
 * bus, and its stop leaves the bus open for the other roles that share it.
 */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { createTestDatabase } from '@syncro/testing/db';
import { eventually } from '@syncro/testing';
import { createPgBus } from '../bus/pgBus.ts';
import type { EventBus, IncomingMessage } from '../bus/port.ts';
import { serviceContext } from './index.ts';
import { startBackbone } from './backbone.ts';

const migrations = {
  'meta/_journal.json': JSON.stringify({ version: '7', dialect: 'postgresql', entries: [{ idx: 0, version: '7', when: 1700000000000, tag: '0000_outbox', breakpoints: true }] }),
  '0000_outbox.sql': `create table outbox (
  seq bigserial primary key, id uuid not null unique, aggregatetype text not null, aggregateid text not null,
  type text not null, partition_key text not null, stream_version bigint, payload jsonb not null,
  headers jsonb not null, created_at timestamptz not null default now(), published_at timestamptz);`,
};

let busDb: Awaited<ReturnType<typeof createTestDatabase>>;
let db: Awaited<ReturnType<typeof createTestDatabase>>;
let bus: EventBus;
beforeAll(async () => {
  busDb = await createTestDatabase('backbone_bus_test');
  db = await createTestDatabase('backbone_injected_test');
  const ctx = serviceContext('backbone-injected');
  bus = createPgBus({ url: busDb.url, logger: ctx.logger, topicPrefix: `inj${crypto.randomUUID().slice(0, 8)}.` });
}, 60_000);
afterAll(async () => {
  await bus?.close();
  await db?.drop();
  await busDb?.drop();
});

describe('backbone with an injected bus', () => {
  test('the relay publishes on it, and stopping the backbone does not close it', async () => {
    const ctx = { ...serviceContext('backbone-injected'), bus };
    const backbone = await startBackbone(ctx, {
      name: 'backbone-injected',
      config: { DATABASE_URL: db.url, DB_POOL_MAX: 2, KAFKA_BROKERS: ['127.0.0.1:1'], OUTBOX_POLL_MS: 100 },
      migrations,
      schema: {},
    });
    expect(backbone.bus).toBe(bus);
    const seen: IncomingMessage[] = [];
    const sub = await bus.subscribe({ groupId: 'g', topics: ['ticket.events'], fromBeginning: true, handle: async (m) => void seen.push(m) });
    await backbone.db.$client`insert into outbox (id, aggregatetype, aggregateid, type, partition_key, payload, headers)
      values (${crypto.randomUUID()}, 'ticket', 't1', 'ticket.events', 't1', '{}'::jsonb, '{}'::jsonb)`;
    backbone.wakeRelay();
    await eventually('the outbox row on the injected bus', () => seen.length === 1, 10_000);
    await backbone.stop();
    // Still open: another role publishes after this one stopped.
    await bus.check();
    await bus.publish([{ topic: 'ticket.events', key: 't2', value: '{}', headers: {} }]);
    await eventually('a publish after the stop', () => seen.length === 2, 10_000);
    await sub.stop();
  }, 60_000);
});
