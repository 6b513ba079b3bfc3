/**
 * @module Idempotent consumers: `(consumer, eventId)` is recorded in the same transaction as the
 * effect, so a redelivered event finds its row and changes nothing.
 */
import { sql } from 'drizzle-orm';
import { pgTable, primaryKey, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import type { PgTransaction } from 'drizzle-orm/pg-core';

export const inbox = pgTable(
  'inbox',
  {
    consumer: text('consumer').notNull(),
    eventId: uuid('event_id').notNull(),
    processedAt: timestamp('processed_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.consumer, t.eventId] })],
);

// Any service schema's transaction will do: the inbox table is the same in each database.
type AnyTx = PgTransaction<any, any, any>;

/** True the first time `consumer` sees `eventId` in a committed transaction; false on a redelivery. */
export async function recordOnce(tx: AnyTx, consumer: string, eventId: string): Promise<boolean> {
  const rows = await tx.execute(
    sql`insert into inbox (consumer, event_id) values (${consumer}, ${eventId}) on conflict do nothing returning 1 as fresh`,
  );
  return rows.length === 1;
}
