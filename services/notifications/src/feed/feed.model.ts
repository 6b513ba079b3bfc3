/** @module Drizzle table: the in-app feed, one row per (event, recipient). */
import { index, pgTable, text, timestamp, unique, uuid } from 'drizzle-orm/pg-core';

export const notifications = pgTable(
  'notifications',
  {
    /** UUIDv7: its order is the feed's order and the cursor. */
    id: uuid('id').primaryKey(),
    userId: uuid('user_id').notNull(),
    eventId: uuid('event_id').notNull(),
    kind: text('kind').notNull(),
    title: text('title').notNull(),
    body: text('body').notNull(),
    link: text('link'),
    ticketId: uuid('ticket_id'),
    projectId: uuid('project_id'),
    readAt: timestamp('read_at', { withTimezone: true }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [unique('notifications_event_user').on(t.eventId, t.userId), index('notifications_user_idx').on(t.userId, t.id)],
);
