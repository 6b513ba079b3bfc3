/** @module The outbox table, Debezium-style columns plus what ordering and the event log need. */
import { sql } from 'drizzle-orm';
import { bigint, bigserial, index, jsonb, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';

export const outbox = pgTable(
  'outbox',
  {
    /** Publication order. Rows of one project are inserted under its row lock, so seq order is commit order. */
    seq: bigserial('seq', { mode: 'number' }).primaryKey(),
    /** The event id (UUIDv7), also in the payload and the `event-id` header. */
    id: uuid('id').notNull().unique(),
    aggregateType: text('aggregatetype').notNull(),
    aggregateId: text('aggregateid').notNull(),
    /** The topic. */
    type: text('type').notNull(),
    /** The Kafka message key (project id, or user id for user.created). */
    partitionKey: text('partition_key').notNull(),
    /** The project version this event produced; serves `GET /projects/:id/events?after=N`. */
    streamVersion: bigint('stream_version', { mode: 'number' }),
    payload: jsonb('payload').$type<Record<string, unknown>>().notNull(),
    headers: jsonb('headers').$type<Record<string, string>>().notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    publishedAt: timestamp('published_at', { withTimezone: true }),
  },
  (t) => [
    index('outbox_unpublished_idx').on(t.seq).where(sql`published_at is null`),
    index('outbox_stream_idx').on(t.partitionKey, t.streamVersion),
  ],
);

export type OutboxRow = typeof outbox.$inferSelect;
