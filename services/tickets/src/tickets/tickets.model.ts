/** @module Drizzle table: tickets. */
import { sql } from 'drizzle-orm';
import { check, index, integer, pgTable, text, timestamp, unique, uuid } from 'drizzle-orm/pg-core';
import { PRIORITIES, TICKET_STATUSES } from '@syncro/contracts';
import { projects } from '../projects/projects.model.ts';

export const tickets = pgTable(
  'tickets',
  {
    id: uuid('id').primaryKey(),
    projectId: uuid('project_id')
      .notNull()
      .references(() => projects.id, { onDelete: 'cascade' }),
    number: integer('number').notNull(),
    code: text('code').notNull().unique(),
    title: text('title').notNull(),
    description: text('description'),
    priority: text('priority', { enum: PRIORITIES }).notNull(),
    status: text('status', { enum: TICKET_STATUSES }).notNull(),
    labels: text('labels').array().notNull().default(sql`'{}'::text[]`),
    reporterId: uuid('reporter_id').notNull(),
    assigneeId: uuid('assignee_id'),
    /** When the current assignment was made; an older `ticket.assigned` never overrides a newer one. */
    assignedAt: timestamp('assigned_at', { withTimezone: true }),
    /** The ticket's own version, for `If-Match` (ETag) optimistic concurrency. */
    version: integer('version').notNull().default(1),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    unique('tickets_project_number_uq').on(t.projectId, t.number),
    index('tickets_project_status_idx').on(t.projectId, t.status),
    // The vocabulary is the contract's: no other spelling may reach a row (migration 0001 renamed CRITICAL).
    check('tickets_priority_check', sql.raw(`priority in (${PRIORITIES.map((p) => `'${p}'`).join(', ')})`)),
  ],
);

export type TicketRow = typeof tickets.$inferSelect;
