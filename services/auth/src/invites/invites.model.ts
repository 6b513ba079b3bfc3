/** @module Drizzle table: invite links the owner hands out, stored as hashes, counting their uses. */
import { pgTable, integer, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { users } from '../users/users.model.ts';

export const invites = pgTable('invites', {
  id: uuid('id').primaryKey(),
  tokenHash: text('token_hash').notNull().unique(),
  createdBy: uuid('created_by')
    .notNull()
    .references(() => users.id, { onDelete: 'cascade' }),
  maxUses: integer('max_uses').notNull(),
  uses: integer('uses').notNull().default(0),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
  revokedAt: timestamp('revoked_at', { withTimezone: true }),
});

export type InviteRow = typeof invites.$inferSelect;
