import { expect, test } from 'bun:test';
import postgres from 'postgres';
import { PG_ADMIN_URL } from '@syncro/testing/db';
import { createDb, ensureDatabase } from './index.ts';

test('ensureDatabase creates a missing database once and leaves an existing one alone', async () => {
  const url = new URL(PG_ADMIN_URL);
  url.pathname = `/ensure_${crypto.randomUUID().replaceAll('-', '').slice(0, 10)}`;
  await Promise.all([ensureDatabase(url.toString()), ensureDatabase(url.toString())]);
  await ensureDatabase(url.toString());
  const sql = postgres(url.toString(), { max: 1 });
  expect((await sql`select current_database() as db`)[0]!.db).toBe(url.pathname.slice(1));
  await sql.end();
  const admin = postgres(PG_ADMIN_URL, { max: 1 });
  await admin.unsafe(`drop database "${url.pathname.slice(1)}" with (force)`);
  await admin.end();
});

test('after a database outage the pool answers again at once, not after postgres.js’s growing backoff', async () => {
  const { startThrowawayPostgres } = await import('@syncro/testing/postgres');
  await using pg = await startThrowawayPostgres();
  const db = createDb(pg.url(), {}, { max: 4 });
  const sql = db.$client;
  await Promise.all([1, 2, 3, 4].map(() => sql`select pg_sleep(0.02)`));
  await pg.stop();
  // Callers keep trying while it is away (a consumer retrying, the relay polling).
  for (const until = Date.now() + 4000; Date.now() < until; await Bun.sleep(100)) await sql`select 1`.catch(() => {});
  await pg.start();
  const back = Date.now();
  let answered = 0;
  while (answered < 8 && Date.now() - back < 20_000) {
    answered = await sql`select 1`.then(() => answered + 1, () => 0);
    if (!answered) await Bun.sleep(10);
  }
  expect(answered).toBe(8);
  expect(Date.now() - back).toBeLessThan(1000);
  await sql.end({ timeout: 1 });
}, 60_000);

test('patched postgres.js: a reserved connection whose backend died rejects its queries instead of crashing the process (porsager/postgres#1208)', async () => {
  const sql = postgres(PG_ADMIN_URL, { max: 2, onnotice: () => {} });
  const killer = postgres(PG_ADMIN_URL, { max: 1 });
  const reserved = await sql.reserve();
  const [{ pid }] = (await reserved`select pg_backend_pid() as pid`) as unknown as [{ pid: number }];
  await killer`select pg_terminate_backend(${pid})`;
  // Unpatched, the second query threw from a timer: an uncaught TypeError that ends the process.
  // Then each query waited forever once the close had been seen (a stale flush timer).
  for (let i = 0; i < 3; i++) await expect(reserved`select 1`).rejects.toBeInstanceOf(Error);
  expect((await sql`select 1 as ok`)[0]!.ok).toBe(1);
  await killer.end();
  // And a settled query no longer holds the pool's shutdown until its timeout.
  const ending = Date.now();
  await sql.end({ timeout: 5 });
  expect(Date.now() - ending).toBeLessThan(1000);
});
