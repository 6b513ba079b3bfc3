import { afterAll, expect, test } from 'bun:test';
import { migrateEmbedded } from '@syncro/kit/db';
import { createTestDatabase } from '@syncro/testing';
import { migrationsUpTo } from '@syncro/testing/migrations';
import postgres from 'postgres';
import { migrationFiles } from './migrations.ts';

const database = await createTestDatabase('assign_migration_test');
const sql = postgres(database.url, { max: 1, onnotice: () => {} });
afterAll(async () => {
  await sql.end();
  await database.drop();
});

test('0002 renames CRITICAL to URGENT in the projection, then refuses any other priority', async () => {
  await migrateEmbedded(database.url, migrationsUpTo(migrationFiles, 2), 'assignment-migrations');
  const ticketId = crypto.randomUUID();
  await sql`insert into tickets (id, project_id, code, priority, status)
            values (${ticketId}, ${crypto.randomUUID()}, 'OLD-1', 'CRITICAL', 'OPEN')`;

  await migrateEmbedded(database.url, migrationFiles, 'assignment-migrations');

  const [ticket] = await sql`select priority from tickets where id = ${ticketId}`;
  expect(ticket!.priority).toBe('URGENT');
  const refused = await sql`update tickets set priority = 'CRITICAL' where id = ${ticketId}`.catch((e) => e);
  expect(refused.code).toBe('23514');
});
