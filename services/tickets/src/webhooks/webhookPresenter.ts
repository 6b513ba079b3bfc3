/** @module API shapes of an outbound endpoint and its deliveries. */
import type { readEndpointDeliveries } from './endpointManager.ts';
import type { WebhookEndpointRow } from './webhooks.model.ts';

export const presentEndpoint = (row: WebhookEndpointRow) => ({
  id: row.id,
  projectId: row.projectId,
  url: row.url,
  events: row.events,
  enabled: row.enabled,
  disabledReason: row.disabledReason,
  previousSecretValidUntil: row.previousSecret && row.previousSecretUntil ? row.previousSecretUntil.toISOString() : null,
  createdAt: row.createdAt.toISOString(),
});

type DeliveryWithAttempts = Awaited<ReturnType<typeof readEndpointDeliveries>>[number];

export const presentWebhookDelivery = (d: DeliveryWithAttempts) => ({
  id: d.id,
  eventId: d.eventId,
  topic: d.topic,
  status: d.status,
  attempts: d.attempts,
  nextAttemptAt: d.status === 'pending' ? d.nextAttemptAt.toISOString() : null,
  lastError: d.lastError,
  createdAt: d.createdAt.toISOString(),
  deliveredAt: d.deliveredAt?.toISOString() ?? null,
  attemptLog: d.attemptLog.map((a) => ({ at: a.at.toISOString(), statusCode: a.statusCode, latencyMs: a.latencyMs, responseExcerpt: a.responseExcerpt, error: a.error })),
});
