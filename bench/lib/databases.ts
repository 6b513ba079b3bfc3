/** @module Scratch databases: named, created and dropped (only `syncro_bench*` ones), with the drop registered for cleanup. */
import postgres from 'postgres';
import { onCleanup } from './cleanup.ts';
import { PG_ADMIN_URL, log } from './env.ts';

/** A scratch database name; the service creates and migrates it, `dropDatabase` removes it. */
export function scratchName(prefix = 'syncro_bench') {
  return `${prefix}_${crypto.randomUUID().replaceAll('-', '').slice(0, 10)}`;
}

export function dbUrl(name: string) {
  const url = new URL(PG_ADMIN_URL);
  url.pathname = `/${name}`;
  return url.toString();
}

export async function adminSql<T>(f: (sql: postgres.Sql) => Promise<T>): Promise<T> {
  const sql = postgres(PG_ADMIN_URL, { max: 1, onnotice: () => {} });
  try {
    return await f(sql);
  } finally {
    await sql.end({ timeout: 5 });
  }
}

export async function createDatabase(name: string) {
  await adminSql((sql) => sql.unsafe(`create database "${name}"`));
}

export async function dropDatabase(name: string) {
  if (!/^syncro_bench\w*$/.test(name)) throw new Error(`refusing to drop ${name}: not a bench scratch database`);
  await adminSql((sql) => sql.unsafe(`drop database if exists "${name}" with (force)`));
}

/** Registers the drop first, so a database that a child process creates is dropped too. */
export function scratchDatabase(prefix = 'syncro_bench') {
  const name = scratchName(prefix);
  onCleanup(`database ${name}`, async () => {
    await dropDatabase(name);
    log(`dropped database ${name}`);
  });
  return { name, url: dbUrl(name) };
}
