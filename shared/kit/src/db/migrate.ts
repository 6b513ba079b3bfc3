/** @module Drizzle-kit migrations applied once, under a Postgres advisory lock. */
import { drizzle } from 'drizzle-orm/postgres-js';
import { migrate } from 'drizzle-orm/postgres-js/migrator';
import postgres from 'postgres';

/** Stable 63-bit key for pg advisory locks, derived from a name so services never collide by accident. */
export function advisoryKey(name: string): bigint {
  const hash = new Bun.CryptoHasher('sha256').update(name).digest();
  return new DataView(hash.buffer).getBigInt64(0) & 0x3fffffffffffffffn;
}

/**
 * Applies the drizzle-kit migrations in `folder`. Several replicas may start at once: the advisory
 * lock makes the second wait for the first and then find nothing left to do.
 */
export async function migrateWithLock(url: string, folder: string, lockName = 'migrations'): Promise<void> {
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  try {
    const key = advisoryKey(lockName);
    await sql`select pg_advisory_lock(${key.toString()}::bigint)`;
    try {
      await migrate(drizzle(sql), { migrationsFolder: folder });
    } finally {
      await sql`select pg_advisory_unlock(${key.toString()}::bigint)`;
    }
  } finally {
    await sql.end({ timeout: 5 });
  }
}
