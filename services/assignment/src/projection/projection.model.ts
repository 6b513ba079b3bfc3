/**
 * @module Drizzle tables: this service's own view of projects, members and open tickets, built
 * from the Ticket Service's events, plus what only this service knows (strategy, skills, capacity,
 * availability, who was assigned when).
 */
import { sql } from 'drizzle-orm';
import { bigint, boolean, check, index, integer, jsonb, pgTable, primaryKey, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { PRIORITIES, PROJECT_ROLES, TICKET_STATUSES } from '@syncro/contracts';

export const AUTO_STRATEGIES = ['least_loaded', 'specialist'] as const;
export type AutoStrategy = (typeof AUTO_STRATEGIES)[number];

export const projects = pgTable('projects', {
  id: uuid('id').primaryKey(),
  key: text('key').notNull().unique(),
  strategy: text('strategy', { enum: AUTO_STRATEGIES }).notNull().default('least_loaded'),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
});

export const members = pgTable(
  'members',
  {
    projectId: uuid('project_id')
      .notNull()
      .references(() => projects.id, { onDelete: 'cascade' }),
    userId: uuid('user_id').notNull(),
    role: text('role', { enum: PROJECT_ROLES }).notNull(),
    /** False once removed: kept as a tombstone so a late `member.added` cannot bring them back. */
    active: boolean('active').notNull().default(true),
    /**
     * The project version of the membership event applied last. Added, removed and created travel
     * on different topics, so they may arrive out of order: only a newer event changes the row.
     */
    version: bigint('version', { mode: 'number' }).notNull().default(0),
    /** Matched against ticket labels by the specialist strategy (lower-cased). */
    skills: text('skills').array().notNull().default(sql`'{}'::text[]`),
    /** Most weighted load this member takes by automatic assignment; null: no limit. */
    capacity: integer('capacity'),
    /** Not assigned automatically before this time; null: available. */
    awayUntil: timestamp('away_until', { withTimezone: true }),
    /** The "least recently assigned" tie-break; null (never) comes first. */
    lastAssignedAt: timestamp('last_assigned_at', { withTimezone: true }),
  },
  (t) => [primaryKey({ columns: [t.projectId, t.userId] })],
);

/**
 * Tickets this service has heard of, until deleted. No foreign key to `projects`: a
 * `ticket.created` may be consumed before its `project.created` (different topics).
 */
export const tickets = pgTable(
  'tickets',
  {
    id: uuid('id').primaryKey(),
    projectId: uuid('project_id').notNull(),
    code: text('code').notNull().unique(),
    priority: text('priority', { enum: PRIORITIES }).notNull(),
    status: text('status', { enum: TICKET_STATUSES }).notNull(),
    labels: text('labels').array().notNull().default(sql`'{}'::text[]`),
    assigneeId: uuid('assignee_id'),
    /** Orders assignments, as the Ticket Service does: the newest one is the one that stands. */
    assignedAt: timestamp('assigned_at', { withTimezone: true }),
    /** The project version of the last creation, status or deletion event applied (out-of-order topics, as for members). */
    version: bigint('version', { mode: 'number' }).notNull().default(0),
    /**
     * The project version of the last edit (priority, labels) applied. Separate from `version`:
     * edits and status changes travel on different topics, and a status change consumed first
     * must not make an earlier edit look stale.
     */
    editVersion: bigint('edit_version', { mode: 'number' }).notNull().default(0),
    /** A tombstone (status DONE, so it weighs nothing): a late `ticket.created` must not revive it. */
    deleted: boolean('deleted').notNull().default(false),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index('tickets_load_idx').on(t.projectId, t.assigneeId).where(sql`status <> 'DONE'`),
    check('projection_tickets_priority_check', sql.raw(`priority in (${PRIORITIES.map((p) => `'${p}'`).join(', ')})`)),
  ],
);

/**
 * Events about a ticket consumed before its `ticket.created` (another topic, so no order between
 * them): kept here at once, not retried, and applied in version order when the creation arrives.
 * A deletion drops them with the ticket.
 */
export const parkedEvents = pgTable(
  'parked_events',
  {
    eventId: uuid('event_id').primaryKey(),
    ticketId: uuid('ticket_id').notNull(),
    topic: text('topic', { enum: ['ticket.updated', 'ticket.status.updated'] }).notNull(),
    version: bigint('version', { mode: 'number' }).notNull(),
    envelope: jsonb('envelope').notNull(),
    parkedAt: timestamp('parked_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('parked_events_ticket_idx').on(t.ticketId, t.version)],
);

export type ProjectRow = typeof projects.$inferSelect;
export type MemberRow = typeof members.$inferSelect;
export type TicketRow = typeof tickets.$inferSelect;
