/**
 * At least once, with the same eventId, deduplicated by every consumer: a relay process killed
 * (SIGKILL) after the broker acknowledged a batch and before its commit marked the rows publishes
 * nothing twice in effect. The next relay sends the same events again, with the same eventIds,
 * and a consumer that records them with `recordOnce` applies each once.
 *
 * This file is also the doomed relay: run as a script with RELAY_CRASH_CHILD set, it relays with
 * the real broker and reports each acknowledgement, then waits to be killed before committing.
 */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { createTestDatabase, eventually } from '@syncro/testing';
import { sql as q } from 'drizzle-orm';
import { drizzle } from 'drizzle-orm/postgres-js';
import postgres from 'postgres';
import { createKafkaBus } from '../bus/kafka.ts';
import type { EventBus } from '../bus/port.ts';
import { brokersFromEnv } from '../bus/topics.ts';
import { recordOnce } from '../inbox/index.ts';
import { createLogger } from '../log/index.ts';
import { appendToOutbox } from './append.ts';
import { OutboxRelay } from './relay.ts';

const RELAY = 'crash-test';

if (process.env.RELAY_CRASH_CHILD) {
  const logger = createLogger({ test: 'relay-crash-child' });
  const real = createKafkaBus({ brokers: brokersFromEnv(), clientId: 'relay-crash-child', logger });
  const bus: EventBus = {
    ...real,
    async publish(messages) {
      await real.publish(messages);
      // The broker has them; the relay's commit comes after this, and never will.
      process.stdout.write(`acked ${messages.length}\n`);
      await new Promise(() => {});
    },
  };
  const sql = postgres(process.env.RELAY_CRASH_CHILD, { max: 4, onnotice: () => {} });
  drizzle(sql); // the services' client settings: JSON and timestamps as drizzle leaves them
  new OutboxRelay({ sql, bus, logger, name: RELAY, pollMs: 100 }).start();
} else {
  const logger = createLogger({ test: 'relay-crash' });
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  let sql: postgres.Sql;
  const bus = createKafkaBus({ brokers: brokersFromEnv(), clientId: 'relay-crash-test', logger });

  beforeAll(async () => {
    db = await createTestDatabase('relay_crash');
    sql = postgres(db.url, { max: 6, onnotice: () => {} });
    await sql.unsafe(`
      create table outbox (
        seq bigserial primary key, id uuid not null unique, aggregatetype text not null, aggregateid text not null,
        type text not null, partition_key text not null, stream_version bigint, payload jsonb not null,
        headers jsonb not null, created_at timestamptz not null default now(), published_at timestamptz);
      create table inbox (consumer text not null, event_id uuid not null, processed_at timestamptz not null default now(),
        primary key (consumer, event_id));
      create table effects (user_id uuid not null, applied_at timestamptz not null default now())`);
  });
  afterAll(async () => {
    await bus.close();
    await sql.end();
    await db.drop();
  });

  describe('outbox relay killed between the acknowledgement and the commit', () => {
    test('the events are published again with the same eventIds; a recordOnce consumer applies each once', async () => {
      const orm = drizzle(sql);
      const users = [Bun.randomUUIDv7(), Bun.randomUUIDv7(), Bun.randomUUIDv7()];
      const ours = new Set(users);
      const deliveries: string[] = [];
      const subscription = await bus.subscribe({
        groupId: `relay-crash-${crypto.randomUUID()}`,
        topics: ['user.created'],
        fromNow: true,
        handle: async (m) => {
          const e = JSON.parse(m.value ?? '{}') as { userId?: string; eventId?: string };
          if (!e.userId || !ours.has(e.userId)) return;
          deliveries.push(e.eventId!);
          await orm.transaction(async (tx) => {
            if (await recordOnce(tx, 'crash-test-consumer', e.eventId!)) await tx.execute(q`insert into effects (user_id) values (${e.userId})`);
          });
        },
      });
      try {
        await orm.transaction(async (tx) => {
          for (const userId of users) {
            await appendToOutbox(tx, 'user.created', { userId, email: 'c@example.test', name: 'c', locale: 'en' }, { aggregateType: 'user', aggregateId: userId });
          }
        });

        const child = Bun.spawn(['bun', import.meta.path], { env: { ...process.env, RELAY_CRASH_CHILD: db.url }, stdout: 'pipe', stderr: 'inherit' });
        const reader = child.stdout.getReader();
        let out = '';
        while (!out.includes('acked')) {
          const { value, done } = await reader.read();
          if (done) throw new Error(`the relay child exited before publishing: ${out}`);
          out += new TextDecoder().decode(value);
        }
        child.kill('SIGKILL');
        await child.exited;

        // Acknowledged by the broker, yet not marked: the crash came before the commit.
        const [{ n }] = (await sql`select count(*)::int as n from outbox where published_at is null`) as unknown as [{ n: number }];
        expect(n).toBe(3);
        const eventIds = (await sql`select id from outbox order by seq`).map((r) => r.id as string);

        const relay = new OutboxRelay({ sql, bus, logger, name: RELAY, pollMs: 100 });
        relay.start();
        try {
          await relay.drained(15_000);
        } finally {
          await relay.stop();
        }

        await eventually('both copies of every event', () => deliveries.length >= 6, 20_000);
        // Each eventId came twice (the child's and the new relay's), never a new one.
        expect([...deliveries].sort()).toEqual([...eventIds, ...eventIds].sort());
        const effects = await sql`select user_id from effects order by user_id`;
        expect(effects.map((r) => r.user_id).sort()).toEqual([...users].sort());
      } finally {
        await subscription.stop();
      }
    }, 60_000);
  });
}
