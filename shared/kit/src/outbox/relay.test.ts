/** The relay on a real database and the real broker: leadership, NOTIFY wake-up, polling, pruning. */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { createTestDatabase } from '@syncro/testing/db';
import { drizzle } from 'drizzle-orm/postgres-js';
import postgres from 'postgres';
import { createKafkaBus } from '../bus/kafka.ts';
import { brokersFromEnv } from '../bus/topics.ts';
import { migrateWithLock } from '../db/index.ts';
import { createLogger } from '../log/index.ts';
import { appendToOutbox } from './append.ts';
import { OutboxRelay, createRelayWaker } from './relay.ts';

const logger = createLogger({ test: 'relay' });
// The same table every service migration creates from ./table.ts.
const OUTBOX_DDL = `
create table outbox (
  seq bigserial primary key, id uuid not null unique, aggregatetype text not null, aggregateid text not null,
  type text not null, partition_key text not null, stream_version bigint, payload jsonb not null,
  headers jsonb not null, created_at timestamptz not null default now(), published_at timestamptz)`;

let db: Awaited<ReturnType<typeof createTestDatabase>>;
let sql: postgres.Sql;
const bus = createKafkaBus({ brokers: brokersFromEnv(), clientId: 'relay-test', logger });

beforeAll(async () => {
  db = await createTestDatabase('relay_test');
  sql = postgres(db.url, { max: 6, onnotice: () => {} });
  await sql.unsafe(OUTBOX_DDL);
});
afterAll(async () => {
  await bus.close();
  await sql.end();
  await db.drop();
});

// No local relay given: the waker NOTIFYs, as a writer in another process would.
const wake = () => createRelayWaker(sql)();
const append = async (n = 1) => {
  await drizzle(sql).transaction(async (tx) => {
    for (let i = 0; i < n; i++) {
      const userId = Bun.randomUUIDv7();
      await appendToOutbox(tx, 'user.created', { userId, email: 'r@example.test', name: 'r', locale: 'en' }, { aggregateType: 'user', aggregateId: userId });
    }
  });
  wake();
};
const unpublished = async () => (await sql`select count(*)::int as n from outbox where published_at is null`)[0]!.n as number;

async function until(check: () => Promise<boolean> | boolean, ms = 10_000) {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await Bun.sleep(20);
  }
}

describe('outbox relay', () => {
  test('one leader per database; the standby takes over when the leader stops', async () => {
    const a = new OutboxRelay({ sql, bus, logger, name: 'lead-test', pollMs: 100 });
    const b = new OutboxRelay({ sql, bus, logger, name: 'lead-test', pollMs: 100 });
    a.start();
    await until(() => a.isLeader);
    b.start();
    await Bun.sleep(500);
    expect(b.isLeader).toBe(false);
    await a.stop();
    await until(() => b.isLeader, 5000);
    await append(3);
    await until(async () => (await unpublished()) === 0);
    expect(b.stats.published).toBeGreaterThanOrEqual(3);
    await b.stop();
  });

  test('NOTIFY wakes the relay long before its polling interval', async () => {
    const relay = new OutboxRelay({ sql, bus, logger, name: 'notify-test', pollMs: 60_000 });
    relay.start();
    await until(() => relay.isLeader);
    await Bun.sleep(200); // listening
    const started = Date.now();
    await append();
    await until(async () => (await unpublished()) === 0, 5000);
    expect(Date.now() - started).toBeLessThan(3000);
    await relay.stop();
  });

  test('the waker pokes a leader in its own process without a NOTIFY', async () => {
    const relay = new OutboxRelay({ sql, bus, logger, name: 'poke-test', pollMs: 60_000 });
    relay.start();
    await until(() => relay.isLeader);
    await Bun.sleep(100);
    const localWake = createRelayWaker(sql, relay);
    await drizzle(sql).transaction((tx) =>
      appendToOutbox(tx, 'user.created', { userId: Bun.randomUUIDv7(), email: 'k@example.test', name: 'k', locale: 'en' }, { aggregateType: 'user', aggregateId: 'k' }),
    );
    const started = Date.now();
    localWake();
    await until(async () => (await unpublished()) === 0, 5000);
    expect(Date.now() - started).toBeLessThan(3000);
    await relay.stop();
  });

  test('polling picks up rows that came without a NOTIFY', async () => {
    const relay = new OutboxRelay({ sql, bus, logger, name: 'poll-test', pollMs: 200 });
    relay.start();
    await until(() => relay.isLeader);
    const id = Bun.randomUUIDv7();
    const payload = { userId: id, email: 'p@example.test', name: 'p', locale: 'en', eventId: id, timestamp: new Date().toISOString() };
    try {
      // drizzle reconfigures this client's JSON handling, so the JSON goes in as text.
      await sql`insert into outbox (id, aggregatetype, aggregateid, type, partition_key, payload, headers)
                values (${id}, 'user', ${id}, 'user.created', ${id}, ${JSON.stringify(payload)}::jsonb, ${JSON.stringify({ 'event-id': id })}::jsonb)`;
      await until(async () => (await unpublished()) === 0, 5000);
    } finally {
      await relay.stop();
    }
  });

  test('published rows older than the retention are pruned; unpublished rows never are', async () => {
    await append(2);
    await sql`update outbox set created_at = now() - interval '10 days', published_at = now() - interval '10 days'`;
    await sql`update outbox set published_at = null where seq = (select max(seq) from outbox)`;
    const relay = new OutboxRelay({ sql, bus, logger, name: 'prune-test', pollMs: 100, retentionMs: 7 * 86_400_000, pruneEveryMs: 0 });
    // Stop the publication of the last row so we can see it survive: hold it locked.
    const holder = await sql.reserve();
    await holder`begin`;
    await holder`select seq from outbox where published_at is null for update`;
    relay.start();
    try {
      await until(async () => (await sql`select count(*)::int as n from outbox where published_at is not null`)[0]!.n === 0, 5000);
      expect(await unpublished()).toBe(1);
    } finally {
      await holder`rollback`;
      holder.release();
    }
    await until(async () => (await unpublished()) === 0, 5000);
    await relay.stop();
  });
});

describe('outbox relay watchdog', () => {
  test('a publication that never returns: the watchdog restarts the leader on a fresh session, which publishes', async () => {
    // The real broker, except that the first publication hangs past every deadline but the watchdog's.
    let calls = 0;
    const hanging = { ...bus, publish: (m: Parameters<typeof bus.publish>[0]) => (++calls === 1 ? new Promise<void>(() => {}) : bus.publish(m)) };
    const relay = new OutboxRelay({ sql, bus: hanging, logger, name: 'watchdog-test', pollMs: 100, publishTimeoutMs: 120_000, stallMs: 800 });
    relay.start();
    try {
      await until(() => relay.isLeader);
      await append(2);
      await until(async () => (await unpublished()) === 0, 6000);
      expect(calls).toBeGreaterThanOrEqual(2);
      expect(relay.stats.restarts).toBeGreaterThanOrEqual(1);
    } finally {
      await relay.stop();
    }
  });

  test('a leader that cannot lock the waiting rows is restarted on a fresh session, and publishes once they free', async () => {
    await append(1);
    const holder = await sql.reserve();
    await holder`begin`;
    await holder`select seq from outbox where published_at is null for update`;
    const relay = new OutboxRelay({ sql, bus, logger, name: 'stall-test', pollMs: 100, stallMs: 600 });
    relay.start();
    try {
      await until(() => relay.stats.restarts >= 1, 5000);
      expect(await unpublished()).toBe(1);
      await holder`rollback`;
      await until(async () => (await unpublished()) === 0, 5000);
    } finally {
      await holder`rollback`.catch(() => {});
      holder.release();
      await relay.stop();
    }
  });
});

describe('migrations', () => {
  test('three processes migrating at once: one applies, the others wait and find nothing to do', async () => {
    const target = await createTestDatabase('migrate_test');
    const folder = new URL('../../../../services/tickets/drizzle', import.meta.url).pathname;
    try {
      await Promise.all([1, 2, 3].map(() => migrateWithLock(target.url, folder, 'test-migrations')));
      const check = postgres(target.url, { max: 1 });
      const [row] = await check`select count(*)::int as n from drizzle.__drizzle_migrations`;
      const tables = await check`select tablename from pg_tables where schemaname = 'public' order by 1`;
      await check.end();
      expect(row!.n).toBeGreaterThanOrEqual(1);
      expect(tables.map((t) => t.tablename)).toContain('outbox');
    } finally {
      await target.drop();
    }
  });
});
