/**
 * @module Drizzle table: the delivery log, one row per (event, recipient, channel). The unique key
 * is what makes a redelivered event send nothing twice; the sender loop works the `pending` rows.
 */
import { sql } from 'drizzle-orm';
import { index, integer, jsonb, pgTable, text, timestamp, unique, uuid } from 'drizzle-orm/pg-core';

export const DELIVERY_STATUSES = ['pending', 'sent', 'failed', 'skipped'] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];

/** What the sender needs, rendered when the event was handled (the message is what it said then). */
export type OutgoingMessage =
  | { channel: 'email'; to: string; subject: string; text: string; html: string; unsubscribeUrl: string }
  | { channel: 'push'; title: string; body: string; url: string | null }
  | { channel: 'in_app'; notificationId: string };

export const deliveries = pgTable(
  'deliveries',
  {
    id: uuid('id').primaryKey(),
    eventId: uuid('event_id').notNull(),
    userId: uuid('user_id').notNull(),
    channel: text('channel').notNull(),
    kind: text('kind').notNull(),
    status: text('status', { enum: DELIVERY_STATUSES }).notNull(),
    /** Why a row was skipped or failed, in words (`preference`, `muted`, `550 mailbox unavailable`). */
    reason: text('reason'),
    attempts: integer('attempts').notNull().default(0),
    lastError: text('last_error'),
    providerMessageId: text('provider_message_id'),
    message: jsonb('message').$type<OutgoingMessage>(),
    nextAttemptAt: timestamp('next_attempt_at', { withTimezone: true }).notNull().defaultNow(),
    /** A sender working the row holds it until then; a crashed sender's rows come back after it. */
    leaseUntil: timestamp('lease_until', { withTimezone: true }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    unique('deliveries_event_user_channel').on(t.eventId, t.userId, t.channel),
    index('deliveries_pending_idx').on(t.nextAttemptAt).where(sql`status = 'pending'`),
    index('deliveries_user_idx').on(t.userId, t.id),
  ],
);
