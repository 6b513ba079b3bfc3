/** @module API shapes of an integration and of its delivery log. */
import type { IntegrationDeliveryRow, IntegrationRow } from './integrations.model.ts';

export const hookUrl = (base: string, id: string) => `${base.replace(/\/$/, '')}/hooks/${id}`;

export const presentIntegration = (row: IntegrationRow, base: string) => ({
  id: row.id,
  projectId: row.projectId,
  kind: row.kind,
  name: row.name,
  url: hookUrl(base, row.id),
  botUserId: row.botUserId,
  botName: row.botName,
  defaults: row.defaults,
  enabled: row.enabled,
  previousSecretValidUntil: row.previousSecret && row.previousSecretUntil ? row.previousSecretUntil.toISOString() : null,
  createdAt: row.createdAt.toISOString(),
});

export const presentDelivery = (row: IntegrationDeliveryRow) => ({
  id: row.id,
  receivedAt: row.receivedAt.toISOString(),
  event: row.event,
  deliveryId: row.deliveryId,
  signatureOk: row.signatureOk,
  status: row.status,
  ticketCode: row.ticketCode,
  error: row.error,
});
