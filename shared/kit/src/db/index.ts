/** @module Postgres through postgres.js and Drizzle; migrations applied once under an advisory lock. */
import { drizzle, type PostgresJsDatabase } from 'drizzle-orm/postgres-js';
import postgres from 'postgres';
import { DbBreaker, registerBreaker } from './breaker.ts';

export type Sql = postgres.Sql;
export type Db<S extends Record<string, unknown>> = PostgresJsDatabase<S> & {
  $client: Sql;
  /** Open while Postgres is known to be down; the HTTP kit answers 503 at once meanwhile. */
  $breaker: DbBreaker;
};

export interface DbOptions {
  max?: number;
  /** Connection name shown in pg_stat_activity: which service holds which connection. */
  applicationName?: string;
}

/**
 * Seconds before a connection that failed is tried again. postgres.js grows this as 3^n / 100 up
 * to 20 s, counting failures across the pool: measured here, after a 6 s outage under load the pool
 * answered again 3 s after Postgres was back, with this 11 ms. Doubling from 50 ms to a 1 s cap
 * still tries at most once a second per connection while the database is away.
 */
export const reconnectBackoff = (retries: number) => Math.min(0.05 * 2 ** retries, 1) * (0.5 + Math.random() / 2);

export function createDb<S extends Record<string, unknown>>(url: string, schema: S, opts: DbOptions = {}): Db<S> {
  const sql = postgres(url, {
    max: opts.max ?? 10,
    backoff: reconnectBackoff,
    onnotice: () => {},
    connection: { application_name: opts.applicationName ?? 'syncroboard' },
  });
  const db = drizzle(sql, { schema }) as Db<S>;
  db.$breaker = new DbBreaker(url);
  const unregister = registerBreaker(db.$breaker);
  const end = sql.end.bind(sql);
  sql.end = (options) => {
    unregister();
    return end(options);
  };
  return db;
}

/**
 * Creates the database named in `url` if it does not exist. It asks the server (via `postgres`)
 * only when the database is really missing, so a role without CREATEDB works on an existing one.
 */
export async function ensureDatabase(url: string): Promise<void> {
  const probe = postgres(url, { max: 1, onnotice: () => {}, connect_timeout: 5 });
  try {
    await probe`select 1`;
    return;
  } catch (err) {
    if ((err as { code?: string }).code !== '3D000') throw err; // 3D000: database does not exist
  } finally {
    await probe.end({ timeout: 5 });
  }
  const name = decodeURIComponent(new URL(url).pathname.slice(1));
  if (!/^[A-Za-z0-9_]+$/.test(name)) throw new Error(`Refusing to create database with unusual name "${name}"`);
  const admin = new URL(url);
  admin.pathname = '/postgres';
  const sql = postgres(admin.toString(), { max: 1, onnotice: () => {} });
  try {
    await sql.unsafe(`create database "${name}"`).catch((err: { code?: string }) => {
      // Created meanwhile by a sibling process: 42P04, or 23505 when both raced in the catalog.
      if (err.code !== '42P04' && err.code !== '23505') throw err;
    });
  } finally {
    await sql.end({ timeout: 5 });
  }
}

export { claimBreakers, DbBreaker, isUnavailable, liveBreakers, type BreakerOptions } from './breaker.ts';
export { migrateEmbedded, type MigrationFiles } from './embedded.ts';
export { advisoryKey, migrateWithLock } from './migrate.ts';
export { processAlive, sealTemplate, startEmbeddedPostgres, unpackPostgres, type EmbeddedPostgres, type EmbeddedPostgresOptions } from './embedded-postgres.ts';
