/** @module Drizzle table: the decision log, one row per assignment decision (automatic or manual). */
import { index, jsonb, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import type { RankedCandidate } from './ranking.ts';

export const TRIGGERS = ['ticket.created', 'project.created', 'auto', 'manual'] as const;
export const OUTCOMES = ['assigned', 'unassigned'] as const;

export const decisions = pgTable(
  'decisions',
  {
    id: uuid('id').primaryKey(),
    ticketId: uuid('ticket_id').notNull(),
    projectId: uuid('project_id').notNull(),
    /** What asked for it: the ticket's creation, a late `project.created`, `/auto`, or a person. */
    trigger: text('trigger', { enum: TRIGGERS }).notNull(),
    strategy: text('strategy', { enum: ['least_loaded', 'specialist', 'manual'] }).notNull(),
    outcome: text('outcome', { enum: OUTCOMES }).notNull(),
    assigneeId: uuid('assignee_id'),
    previousAssigneeId: uuid('previous_assignee_id'),
    reason: text('reason').notNull(),
    /** Every member considered, in rank order, with the facts used and why it was excluded. */
    candidates: jsonb('candidates').$type<RankedCandidate[]>().notNull(),
    decidedBy: uuid('decided_by'),
    decidedAt: timestamp('decided_at', { withTimezone: true }).notNull(),
  },
  (t) => [index('decisions_ticket_idx').on(t.ticketId, t.decidedAt)],
);

export type DecisionRow = typeof decisions.$inferSelect;
