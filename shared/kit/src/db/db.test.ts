import { expect, test } from 'bun:test';
import postgres from 'postgres';
import { PG_ADMIN_URL } from '@syncro/testing/db';
import { ensureDatabase } from './index.ts';

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
