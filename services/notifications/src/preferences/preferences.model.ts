/** @module Drizzle tables: each user's choices (channels per kind, global mute, locale), project mutes and push subscriptions. */
import { boolean, jsonb, pgTable, primaryKey, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import type { Channel, Kind } from '../messages/kinds.ts';

export const preferences = pgTable('preferences', {
  userId: uuid('user_id').primaryKey(),
  /** Only the kinds the user changed; the others follow the defaults in kinds.ts. */
  channels: jsonb('channels').$type<Partial<Record<Kind, Channel[]>>>().notNull().default({}),
  muted: boolean('muted').notNull().default(false),
  /** Null: the locale of the user's account. */
  locale: text('locale'),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
});

export const projectMutes = pgTable(
  'project_mutes',
  {
    userId: uuid('user_id').notNull(),
    projectId: uuid('project_id').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.userId, t.projectId] })],
);

export const pushSubscriptions = pgTable('push_subscriptions', {
  id: uuid('id').primaryKey(),
  userId: uuid('user_id').notNull(),
  endpoint: text('endpoint').notNull().unique(),
  p256dh: text('p256dh').notNull(),
  auth: text('auth').notNull(),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
});
