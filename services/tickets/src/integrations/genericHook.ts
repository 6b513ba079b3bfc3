/**
 * @module A generic (Standard Webhooks) delivery → a ticket. With an `externalId` already seen by
 * this integration, the delivery updates that ticket (title, description, priority, labels) instead.
 */
import { InvalidField } from '@syncro/kit/errors';
import * as v from 'valibot';
import { cleanLabels, createFromHook, editFromHook, findByExternalId, type Effect, type HookResult } from './hookEffects.ts';
import type { IntegrationDefaults } from './integrations.model.ts';
import { GenericDelivery } from './integrations.schema.ts';
import type { NewTicket } from '../tickets/ticketCreator.ts';

export function parseGeneric(payload: unknown): GenericDelivery {
  const r = v.safeParse(GenericDelivery, payload);
  if (r.success) return r.output;
  const issue = r.issues[0]!;
  throw new InvalidField(v.getDotPath(issue) ?? '(root)', issue.message);
}

/** The ticket a generic delivery makes when its external id (if any) has none yet. */
export function genericCreatePlan(defaults: IntegrationDefaults, body: GenericDelivery): { input: NewTicket; externalId: string | null } {
  return {
    input: { title: body.title, description: body.description ?? null, priority: body.priority ?? defaults.priority, labels: cleanLabels([...defaults.labels, ...(body.labels ?? [])]) },
    externalId: body.externalId ? `ext:${body.externalId}` : null,
  };
}

export async function applyGeneric(e: Effect, body: GenericDelivery): Promise<HookResult> {
  const externalId = body.externalId ? `ext:${body.externalId}` : null;
  const known = externalId ? await findByExternalId(e.tx, e.integration.id, externalId) : undefined;
  const { defaults } = e.integration;
  if (known) {
    return editFromHook(e, known, {
      title: body.title,
      ...(body.description !== undefined ? { description: body.description } : {}),
      ...(body.priority ? { priority: body.priority } : {}),
      ...(body.labels ? { labels: cleanLabels([...defaults.labels, ...body.labels]) } : {}),
    });
  }
  const plan = genericCreatePlan(defaults, body);
  return createFromHook(e, plan.input, plan.externalId);
}
