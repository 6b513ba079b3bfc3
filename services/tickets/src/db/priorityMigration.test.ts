import { afterAll, expect, test } from 'bun:test';
import { migrateEmbedded } from '@syncro/kit/db';
import { createTestDatabase } from '@syncro/testing';
import { migrationsUpTo } from '@syncro/testing/migrations';
import postgres from 'postgres';
import { migrationFiles } from './migrations.ts';

const database = await createTestDatabase('tickets_migration_test');
const sql = postgres(database.url, { max: 1, onnotice: () => {} });
afterAll(async () => {
  await sql.end();
  await database.drop();
});

test('0001 renames CRITICAL to URGENT in rows and in outbox events, then refuses any other priority', async () => {
  // A database as the release before the rename left it, holding the old spelling.
  await migrateEmbedded(database.url, migrationsUpTo(migrationFiles, 1), 'tickets-migrations');
  const projectId = crypto.randomUUID();
  const ticketId = crypto.randomUUID();
  const user = crypto.randomUUID();
  await sql`insert into projects (id, key, name, created_by) values (${projectId}, 'OLD', 'Old', ${user})`;
  await sql`insert into tickets (id, project_id, number, code, title, priority, status, reporter_id)
            values (${ticketId}, ${projectId}, 1, 'OLD-1', 'fire', 'CRITICAL', 'OPEN', ${user})`;
  const created = { ticketId, projectId, priority: 'CRITICAL' };
  const edited = { ticketId, projectId, changes: { priority: { from: 'CRITICAL', to: 'LOW' } } };
  for (const [type, payload] of [['ticket.created', created], ['ticket.updated', edited]] as const) {
    await sql`insert into outbox (id, aggregatetype, aggregateid, type, partition_key, payload, headers)
              values (${crypto.randomUUID()}, 'ticket', ${ticketId}, ${type}, ${projectId}, ${sql.json(payload)}, '{}'::jsonb)`;
  }

  await migrateEmbedded(database.url, migrationFiles, 'tickets-migrations');

  const [ticket] = await sql`select priority from tickets where id = ${ticketId}`;
  expect(ticket!.priority).toBe('URGENT');
  const events = await sql`select type, payload from outbox order by seq`;
  expect(events.map((e) => e.payload.priority ?? e.payload.changes.priority.from)).toEqual(['URGENT', 'URGENT']);
  const refused = await sql`update tickets set priority = 'CRITICAL' where id = ${ticketId}`.catch((e) => e);
  expect(refused.code).toBe('23514'); // check_violation
});
