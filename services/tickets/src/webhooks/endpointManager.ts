/** @module An owner's outbound webhook endpoints: subscribe, list, change, rotate, delete, read deliveries, redeliver. */
import { InvalidField, NotFound } from '@syncro/kit/errors';
import { and, desc, eq, inArray } from 'drizzle-orm';
import type { TicketDb } from '../context.ts';
import { newSecret, rotation } from '../integrations/secrets.ts';
import { checkTarget } from './ssrfGuard.ts';
import { webhookAttempts, webhookDeliveries, webhookEndpoints, type WebhookEndpointRow } from './webhooks.model.ts';

async function requireTarget(url: string, allowPrivate: boolean) {
  const target = await checkTarget(url, allowPrivate);
  if (!target.ok) throw new InvalidField('url', target.reason);
}

export async function createEndpoint(db: TicketDb, projectId: string, input: { url: string; events: string[] }, actorId: string, allowPrivate: boolean) {
  await requireTarget(input.url, allowPrivate);
  const [row] = await db
    .insert(webhookEndpoints)
    .values({ id: Bun.randomUUIDv7(), projectId, url: input.url, events: input.events, secret: newSecret(), createdBy: actorId })
    .returning();
  return row!;
}

export const listEndpoints = (db: TicketDb, projectId: string) =>
  db.select().from(webhookEndpoints).where(eq(webhookEndpoints.projectId, projectId)).orderBy(webhookEndpoints.createdAt);

export async function requireEndpoint(db: TicketDb, projectId: string, id: string): Promise<WebhookEndpointRow> {
  const [row] = await db.select().from(webhookEndpoints).where(and(eq(webhookEndpoints.id, id), eq(webhookEndpoints.projectId, projectId)));
  if (!row) throw new NotFound(`Webhook ${id}`);
  return row;
}

/** Re-enabling clears the reason; the deliveries it kept pending are sent again. */
export async function changeEndpoint(db: TicketDb, row: WebhookEndpointRow, edits: { url?: string; events?: string[]; enabled?: boolean }, allowPrivate: boolean) {
  if (edits.url) await requireTarget(edits.url, allowPrivate);
  const [updated] = await db
    .update(webhookEndpoints)
    .set({ ...edits, ...(edits.enabled ? { disabledReason: null } : {}) })
    .where(eq(webhookEndpoints.id, row.id))
    .returning();
  if (!updated) throw new NotFound(`Webhook ${row.id}`);
  return updated;
}

export async function rotateEndpointSecret(db: TicketDb, row: WebhookEndpointRow, graceS: number) {
  const [updated] = await db.update(webhookEndpoints).set(rotation(row.secret, graceS)).where(eq(webhookEndpoints.id, row.id)).returning();
  return updated!;
}

export const deleteEndpoint = (db: TicketDb, row: WebhookEndpointRow) => db.delete(webhookEndpoints).where(eq(webhookEndpoints.id, row.id));

export async function readEndpointDeliveries(db: TicketDb, endpointId: string, limit = 50) {
  const deliveries = await db.select().from(webhookDeliveries).where(eq(webhookDeliveries.endpointId, endpointId)).orderBy(desc(webhookDeliveries.createdAt)).limit(limit);
  const attempts = deliveries.length
    ? await db.select().from(webhookAttempts).where(inArray(webhookAttempts.deliveryId, deliveries.map((d) => d.id))).orderBy(webhookAttempts.at)
    : [];
  return deliveries.map((d) => ({ ...d, attemptLog: attempts.filter((a) => a.deliveryId === d.id) }));
}

/** Sends it again soon, whatever became of it; the receiver sees the same `webhook-id`. */
export async function redeliver(db: TicketDb, endpointId: string, deliveryId: string) {
  const [row] = await db
    .update(webhookDeliveries)
    .set({ status: 'pending', attempts: 0, nextAttemptAt: new Date(), leaseUntil: null })
    .where(and(eq(webhookDeliveries.id, deliveryId), eq(webhookDeliveries.endpointId, endpointId)))
    .returning();
  if (!row) throw new NotFound(`Delivery ${deliveryId}`);
  return row;
}
