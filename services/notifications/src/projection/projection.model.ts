/**
 * @module Drizzle tables: this service's own copy of users, projects, members, tickets and comments,
 * built from events so a message never needs a call to another service, and the events that wait
 * for a part of that copy which has not arrived yet (`waiting`).
 */
import { sql } from 'drizzle-orm';
import { bigint, boolean, index, integer, jsonb, pgTable, primaryKey, text, timestamp, uuid } from 'drizzle-orm/pg-core';

export const users = pgTable('users', {
  id: uuid('id').primaryKey(),
  email: text('email').notNull(),
  name: text('name').notNull(),
  locale: text('locale').notNull(),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
});

export const projects = pgTable('projects', {
  id: uuid('id').primaryKey(),
  key: text('key').notNull(),
  /** Null until `project.created` arrives (a member event may come first). */
  name: text('name'),
});

export const members = pgTable(
  'members',
  {
    projectId: uuid('project_id').notNull(),
    userId: uuid('user_id').notNull(),
    /** False once removed; the newest project version wins, so a late `member.added` cannot undo a removal. */
    active: boolean('active').notNull(),
    version: bigint('version', { mode: 'number' }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.projectId, t.userId] })],
);

export const tickets = pgTable('tickets', {
  id: uuid('id').primaryKey(),
  projectId: uuid('project_id').notNull(),
  code: text('code').notNull(),
  title: text('title').notNull(),
  reporterId: uuid('reporter_id').notNull(),
  assigneeId: uuid('assignee_id'),
  /** The project version of the newest change applied to the title (older ones arriving late are ignored). */
  version: bigint('version', { mode: 'number' }).notNull(),
  /** When the current assignee was assigned: the newest assignment wins across topics. */
  assignedAt: timestamp('assigned_at', { withTimezone: true, mode: 'string' }),
});

export const comments = pgTable(
  'comments',
  {
    id: uuid('id').primaryKey(),
    ticketId: uuid('ticket_id').notNull(),
    authorId: uuid('author_id').notNull(),
    version: bigint('version', { mode: 'number' }).notNull(),
  },
  (t) => [index('comments_ticket_idx').on(t.ticketId, t.version)],
);

/**
 * The fan-out queue. Every event that notifies someone is put here by the consumer (with the
 * inbox row, in its transaction); fan-out workers take the rows whose `needs` is empty, several at
 * a time. `needs` holds the ids the event still lacks (its ticket, project, recipient's or actor's
 * user row); the projection event that brings one removes it from every row that names it.
 */
export const waiting = pgTable(
  'waiting',
  {
    eventId: uuid('event_id').primaryKey(),
    topic: text('topic').notNull(),
    event: jsonb('event').notNull(),
    needs: uuid('needs').array().notNull(),
    /** False while the event's own projection change still waits (a ticket change before its ticket). */
    projected: boolean('projected').notNull(),
    /** Waited long enough: no longer waits for the actor's name (see the sweeper). */
    lenient: boolean('lenient').notNull().default(false),
    /** Fan-out failures (a bug, the database away): retried with backoff, the last error kept. */
    attempts: integer('attempts').notNull().default(0),
    runAfter: timestamp('run_after', { withTimezone: true }).notNull().defaultNow(),
    lastError: text('last_error'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index('waiting_needs_idx').using('gin', t.needs),
    index('waiting_ready_idx').on(t.createdAt).where(sql`cardinality(needs) = 0`),
  ],
);
