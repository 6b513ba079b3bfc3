/**
 * The embedded default as the services use it: a service's embedded migrations under their advisory
 * lock, the outbox relay (leader by advisory lock, NOTIFY wake-up, SKIP LOCKED batches) publishing
 * to the Postgres bus in the same cluster, a restart that keeps everything, and a server orphaned by
 * a process killed with -9.
 */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { eventually } from '@syncro/testing';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { drizzle } from 'drizzle-orm/postgres-js';
import postgres from 'postgres';
import { migrationFiles } from '../../../../services/tickets/src/db/migrations.ts';
import { createPgBus } from '../bus/pgBus.ts';
import type { IncomingMessage } from '../bus/port.ts';
import { createLogger } from '../log/index.ts';
import { appendToOutbox } from '../outbox/append.ts';
import { OutboxRelay, createRelayWaker } from '../outbox/relay.ts';
import { startEmbeddedPostgres, type EmbeddedPostgres } from './embedded-postgres.ts';
import { ensureDatabase, migrateEmbedded } from './index.ts';

const logger = createLogger({ test: 'embedded-postgres' });
const dir = mkdtempSync(join(tmpdir(), 'embedded-pg-'));
chmodSync(dir, 0o755); // as root the server runs as `postgres`, which must reach its folder
const dataDir = join(dir, 'data');
const dbUrl = (base: string, name: string) => Object.assign(new URL(base), { pathname: `/${name}` }).toString();

let pg: EmbeddedPostgres;
beforeAll(async () => {
  pg = await startEmbeddedPostgres({ dataDir });
});
afterAll(async () => {
  await pg?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('embedded postgres', () => {
  test("the Ticket Service's migrations apply, twice at once (their advisory lock), and stay applied", async () => {
    const url = dbUrl(pg.url, 'syncro_ticket_db');
    await ensureDatabase(url);
    await Promise.all([migrateEmbedded(url, migrationFiles, 'tickets'), migrateEmbedded(url, migrationFiles, 'tickets')]);
    const sql = postgres(url, { max: 1, onnotice: () => {} });
    const tables = (await sql`select table_name from information_schema.tables where table_schema = 'public'`).map((r) => r.table_name);
    await sql.end();
    expect(tables).toEqual(expect.arrayContaining(['projects', 'tickets', 'outbox']));
  });

  test('the outbox relay: one leader, woken by NOTIFY, drains to the Postgres bus; the standby takes over', async () => {
    const url = dbUrl(pg.url, 'syncro_ticket_db');
    const busUrl = dbUrl(pg.url, 'syncro_bus');
    await ensureDatabase(busUrl);
    const bus = createPgBus({ url: busUrl, logger, pollMs: 200 });
    const sql = postgres(url, { max: 6, onnotice: () => {} });
    const seen: IncomingMessage[] = [];
    const sub = await bus.subscribe({ groupId: `relay-${crypto.randomUUID()}`, topics: ['user.created'], fromNow: true, handle: async (m) => void seen.push(m) });
    const a = new OutboxRelay({ sql, bus, logger, name: 'embedded-relay', pollMs: 60_000 });
    const b = new OutboxRelay({ sql, bus, logger, name: 'embedded-relay', pollMs: 100 });
    const append = async (n: number) => {
      const ids: string[] = [];
      await drizzle(sql).transaction(async (tx) => {
        for (let i = 0; i < n; i++) {
          const userId = Bun.randomUUIDv7();
          ids.push(userId);
          await appendToOutbox(tx, 'user.created', { userId, email: 'e@example.test', name: 'e', locale: 'en' }, { aggregateType: 'user', aggregateId: userId });
        }
      });
      createRelayWaker(sql)(); // a NOTIFY, as a writer in another process sends it
      return ids;
    };
    try {
      a.start();
      await eventually('a leads', () => a.isLeader, 10_000);
      b.start();
      await Bun.sleep(300);
      expect(b.isLeader).toBe(false);
      const first = await append(3);
      // Polling is a minute away: only the NOTIFY can bring these out this fast.
      await eventually('first batch on the bus', () => first.every((id) => seen.some((m) => JSON.parse(m.value!).userId === id)), 5000);
      await a.stop();
      await eventually('b leads', () => b.isLeader, 10_000);
      const second = await append(2);
      await eventually('second batch on the bus', () => second.every((id) => seen.some((m) => JSON.parse(m.value!).userId === id)), 10_000);
      const [{ n }] = (await sql`select count(*)::int as n from outbox where published_at is null`) as unknown as [{ n: number }];
      expect(n).toBe(0);
    } finally {
      await Promise.all([a.stop(), b.stop(), sub.stop()]);
      await bus.close();
      await sql.end();
    }
  });

  test('stopped and started again: same data, a new port is fine', async () => {
    await pg.stop();
    pg = await startEmbeddedPostgres({ dataDir });
    const sql = postgres(dbUrl(pg.url, 'syncro_ticket_db'), { max: 1, onnotice: () => {} });
    const [{ n }] = (await sql`select count(*)::int as n from outbox`) as unknown as [{ n: number }];
    await sql.end();
    expect(n).toBe(5);
  });

  test('a folder in use by a live process is refused; a server left by a process killed with -9 is stopped and the folder started again', async () => {
    await pg.stop();
    // A child process starts the server and is killed before it can stop it.
    const child = Bun.spawn(['bun', '-e', `import { startEmbeddedPostgres } from ${JSON.stringify(join(import.meta.dir, 'embedded-postgres.ts'))}; const p = await startEmbeddedPostgres({ dataDir: ${JSON.stringify(dataDir)} }); console.log(p.url); await Bun.sleep(60_000);`], { stdout: 'pipe', stderr: 'inherit' });
    const reader = child.stdout.getReader();
    const { value } = await reader.read();
    const orphanUrl = new TextDecoder().decode(value).trim();
    // While its owner lives, the folder is in use: a second start is refused and stops nothing.
    await expect(startEmbeddedPostgres({ dataDir })).rejects.toThrow(/in use by process/);
    child.kill('SIGKILL');
    await child.exited;
    const orphan = postgres(orphanUrl, { max: 1, onnotice: () => {} });
    await orphan`select 1`; // still running without its parent
    await orphan.end();
    pg = await startEmbeddedPostgres({ dataDir });
    const sql = postgres(dbUrl(pg.url, 'syncro_ticket_db'), { max: 1, onnotice: () => {} });
    const [{ n }] = (await sql`select count(*)::int as n from outbox`) as unknown as [{ n: number }];
    await sql.end();
    expect(n).toBe(5);
  });
});
