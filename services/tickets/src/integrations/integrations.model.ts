/** @module Drizzle tables: inbound integrations, their delivery log and the external ids they map to tickets. */
import { sql } from 'drizzle-orm';
import { boolean, index, integer, jsonb, pgTable, primaryKey, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { PRIORITIES } from '@syncro/contracts';
import { projects } from '../projects/projects.model.ts';
import { tickets } from '../tickets/tickets.model.ts';

export const INTEGRATION_KINDS = ['generic', 'github'] as const;
export type IntegrationKind = (typeof INTEGRATION_KINDS)[number];

export interface IntegrationDefaults {
  priority: (typeof PRIORITIES)[number];
  labels: string[];
}

export const integrations = pgTable(
  'integrations',
  {
    id: uuid('id').primaryKey(),
    projectId: uuid('project_id')
      .notNull()
      .references(() => projects.id, { onDelete: 'cascade' }),
    kind: text('kind', { enum: INTEGRATION_KINDS }).notNull(),
    name: text('name').notNull(),
    /** The integration's own identity: a project member that reports its tickets and comments. */
    botUserId: uuid('bot_user_id').notNull(),
    /** How that identity shows ("GitHub (acme/api)"); there is no users row at auth for it. */
    botName: text('bot_name').notNull(),
    secret: text('secret').notNull(),
    /** The secret before the last rotation, still accepted until `previousSecretUntil`. */
    previousSecret: text('previous_secret'),
    previousSecretUntil: timestamp('previous_secret_until', { withTimezone: true }),
    defaults: jsonb('defaults').$type<IntegrationDefaults>().notNull(),
    enabled: boolean('enabled').notNull().default(true),
    createdBy: uuid('created_by').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('integrations_project_idx').on(t.projectId)],
);

/**
 * Every delivery that reached a known integration, refused or not. An accepted one (`accepted`) is
 * the idempotency record: written in the transaction of its effect, unique per delivery id, and its
 * stored answer is what a redelivery gets back.
 */
export const integrationDeliveries = pgTable(
  'integration_deliveries',
  {
    id: uuid('id').primaryKey(),
    integrationId: uuid('integration_id')
      .notNull()
      .references(() => integrations.id, { onDelete: 'cascade' }),
    deliveryId: text('delivery_id'),
    event: text('event'),
    signatureOk: boolean('signature_ok').notNull(),
    accepted: boolean('accepted').notNull(),
    status: integer('status').notNull(),
    ticketCode: text('ticket_code'),
    error: text('error'),
    response: jsonb('response').$type<unknown>(),
    receivedAt: timestamp('received_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('integration_deliveries_accepted_uq').on(t.integrationId, t.deliveryId).where(sql`accepted`),
    index('integration_deliveries_log_idx').on(t.integrationId, t.receivedAt),
  ],
);

/** An external thing (a GitHub issue, a generic `externalId`) → the ticket it became. */
export const integrationRefs = pgTable(
  'integration_refs',
  {
    integrationId: uuid('integration_id')
      .notNull()
      .references(() => integrations.id, { onDelete: 'cascade' }),
    externalId: text('external_id').notNull(),
    ticketId: uuid('ticket_id')
      .notNull()
      .references(() => tickets.id, { onDelete: 'cascade' }),
  },
  (t) => [primaryKey({ columns: [t.integrationId, t.externalId] })],
);

export type IntegrationRow = typeof integrations.$inferSelect;
export type IntegrationDeliveryRow = typeof integrationDeliveries.$inferSelect;
