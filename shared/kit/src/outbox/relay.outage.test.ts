/**
 * The relay across repeated immediate-mode stops of a throwaway Postgres (the server dies without
 * closing its sessions, as on a crash): after each restart the backlog must drain within seconds.
 * Measured before the relay had a session of its own with deadlines: 4 runs of 10 stops in 5 got
 * stuck (at stops 1, 3, 4 and 7: about one stop in six), the leader waiting forever in `reserve()`
 * (porsager/postgres#1195) with the backlog growing.
 */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { startThrowawayPostgres, type ThrowawayPostgres } from '@syncro/testing/postgres';
import postgres from 'postgres';
import { createKafkaBus } from '../bus/kafka.ts';
import { brokersFromEnv } from '../bus/topics.ts';
import { createDb, ensureDatabase, type Db } from '../db/index.ts';
import { createLogger } from '../log/index.ts';
import { appendToOutbox } from './append.ts';
import { OutboxRelay, createRelayWaker } from './relay.ts';

// The same table every service migration creates from ./table.ts.
const OUTBOX_DDL = `
create table outbox (
  seq bigserial primary key, id uuid not null unique, aggregatetype text not null, aggregateid text not null,
  type text not null, partition_key text not null, stream_version bigint, payload jsonb not null,
  headers jsonb not null, created_at timestamptz not null default now(), published_at timestamptz)`;

const CYCLES = Number(process.env.RELAY_OUTAGE_CYCLES ?? 10);
const DRAIN_MS = 5000;
const logger = createLogger({ test: 'relay-outage' });
const bus = createKafkaBus({ brokers: brokersFromEnv(), clientId: 'relay-outage-test', logger });

let pg: ThrowawayPostgres;
let db: Db<Record<string, never>>;
beforeAll(async () => {
  pg = await startThrowawayPostgres();
  const url = pg.url('relay_outage');
  await ensureDatabase(url);
  // Production's client settings (pool, reconnect backoff), not a test-only one.
  db = createDb(url, {}, { max: 10, applicationName: 'relay-outage-test' });
  await db.$client.unsafe(OUTBOX_DDL);
}, 60_000);
afterAll(async () => {
  await bus.close();
  await db?.$client.end({ timeout: 1 }).catch(() => {});
  await pg?.dispose();
});

/**
 * `pg_ctl -m immediate stop`, then, after `downMs`, `pg_ctl restart`, which with no server running
 * starts it with the options it last ran with (postmaster.opts): same port, same data.
 */
async function crashAndRestart(downMs: number) {
  const admin = postgres(pg.url(), { max: 1, onnotice: () => {} });
  const [{ data_directory: data }] = (await admin`show data_directory`) as unknown as [{ data_directory: string }];
  const [{ bin }] = (await admin`select setting as bin from pg_config where name = 'BINDIR'`) as unknown as [{ bin: string }];
  await admin.end({ timeout: 1 });
  const ctl = async (...args: string[]) => {
    const argv = [`${bin}/pg_ctl`, '-D', data, ...args];
    const proc = Bun.spawn(process.getuid?.() === 0 ? ['runuser', '-u', 'postgres', '--', ...argv] : argv, { stdout: 'pipe', stderr: 'pipe' });
    const [code, err] = await Promise.all([proc.exited, new Response(proc.stderr).text()]);
    if (code !== 0) throw new Error(`pg_ctl ${args.join(' ')} failed (${code}): ${err}`);
  };
  await ctl('-m', 'immediate', '-w', 'stop');
  await Bun.sleep(downMs);
  await ctl('-l', `${data}/../log`, '-w', '-t', '30', 'restart');
}

const unpublished = async (upTo = '9223372036854775807') => {
  const [r] = await db.$client`select count(*)::int as n from outbox where published_at is null and seq <= ${upTo}::bigint`;
  return r!.n as number;
};
const lastSeq = async () => {
  const [r] = await db.$client`select coalesce(max(seq), 0)::text as s from outbox`;
  return r!.s as string;
};

describe('outbox relay through Postgres crashes', () => {
  test(`${CYCLES} immediate-mode stops while writing: after each restart the backlog drains within ${DRAIN_MS / 1000} s`, async () => {
    const relay = new OutboxRelay({ sql: db.$client, bus, logger, name: 'outage-test', pollMs: 1000 });
    const wake = createRelayWaker(db.$client, relay);
    relay.start();
    let writing = true;
    let written = 0;
    const writer = (async () => {
      while (writing) {
        try {
          await db.transaction(async (tx) => {
            for (let i = 0; i < 5; i++) {
              const userId = Bun.randomUUIDv7();
              await appendToOutbox(tx, 'user.created', { userId, email: 'o@example.test', name: 'o', locale: 'en' }, { aggregateType: 'user', aggregateId: userId });
            }
          });
          written += 5;
          wake();
        } catch {
          await Bun.sleep(20); // the database is away: the writer's caller would get a 503
        }
        await Bun.sleep(5);
      }
    })();

    let stuckAt: number | null = null;
    try {
      for (let cycle = 0; cycle < CYCLES && stuckAt === null; cycle++) {
        await Bun.sleep(200 + Math.random() * 600); // crash at a different point of the relay's loop each time
        await crashAndRestart(300 + Math.random() * 1200);
        const restarted = Date.now();
        const before = written;
        // Rows keep coming, so "drained" is: what was committed once writes succeed again is published.
        let target: string | null = null;
        let drained = false;
        while (!drained && Date.now() - restarted < DRAIN_MS) {
          if (target === null && written > before) target = await lastSeq().catch(() => null);
          drained = target !== null && (await unpublished(target).catch(() => -1)) === 0;
          if (!drained) await Bun.sleep(50);
        }
        if (!drained) stuckAt = cycle;
      }
    } finally {
      writing = false;
      await writer;
    }
    if (stuckAt === null) await relay.drained(DRAIN_MS);
    // A stuck relay never finishes its loop: do not let it hold up the cleanup.
    await Promise.race([relay.stop(), Bun.sleep(3000)]);
    expect({ stuckAt, left: await unpublished() }).toEqual({ stuckAt: null, left: 0 });
  }, 60_000 + CYCLES * 10_000);
});
