/** @module Proves a service's retention rules against its migrated schema: every rule's SQL runs, and an aged inbox row goes. */
import { migrateEmbedded, type MigrationFiles } from '@syncro/kit/db';
import { createLogger } from '@syncro/kit/log';
import { DEFAULT_LOG_RETENTION_MS, RetentionSweeper, type RetentionRule } from '@syncro/kit/retention';
import postgres from 'postgres';
import { createTestDatabase } from './db.ts';

export async function sweepMigratedSchema(name: string, migrations: MigrationFiles, rules: RetentionRule[]) {
  const dbh = await createTestDatabase(`retention_${name}`);
  const sql = postgres(dbh.url, { max: 2, onnotice: () => {} });
  try {
    await migrateEmbedded(dbh.url, migrations, `${name}-migrations`);
    await sql`insert into inbox (consumer, event_id, processed_at) values
      ('old', gen_random_uuid(), now() - interval '90 days'), ('young', gen_random_uuid(), now() - interval '1 day')`;
    const sweeper = new RetentionSweeper({ name, sql, logger: createLogger({ svc: name }, { sink: () => {} }), rules, keepMs: DEFAULT_LOG_RETENTION_MS });
    const { deleted } = await sweeper.sweep();
    const inbox = (await sql`select consumer from inbox`).map((r) => r.consumer as string);
    return { deleted, inbox };
  } finally {
    await sql.end();
    await dbh.drop();
  }
}
