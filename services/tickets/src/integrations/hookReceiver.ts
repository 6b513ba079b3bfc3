/**
 * @module Receives one inbound delivery: known and enabled integration (404) → its rate limit (429)
 * → signature (401) → a delivery id seen before answers its recorded result → the body (422) → the
 * effect and the delivery record, committed together: a create in one statement
 * (hookTicketCreator.ts), anything else in one transaction. Every refusal is logged, and one that
 * reached a known integration is a row of its delivery log; none writes a ticket or an idempotency
 * record. The integration comes from a short in-process cache (integrationCache.ts).
 */
import { BadInput, DomainError, InvalidField, NotFound, RateLimited, Unauthenticated } from '@syncro/kit/errors';
import { httpStatusOf } from '@syncro/kit/http';
import type { RateLimiter } from '@syncro/kit/ratelimit';
import { takeOrThrow } from '@syncro/kit/ratelimit';
import { and, eq } from 'drizzle-orm';
import type { TicketDeps } from '../context.ts';
import { hasCode } from '../projects/projectCreator.ts';
import { botUser, inOneTransaction } from './botDeps.ts';
import { applyGeneric, genericCreatePlan, parseGeneric } from './genericHook.ts';
import { applyGitHub, githubCreatePlan } from './githubHook.ts';
import { createTicketFromDelivery } from './hookTicketCreator.ts';
import { integrationCache } from './integrationCache.ts';
import type { HookResult } from './hookEffects.ts';
import { verifyGitHub, verifyStandard } from './hookVerifier.ts';
import { integrationDeliveries, type IntegrationRow } from './integrations.model.ts';
import { liveSecrets } from './secrets.ts';

export interface HookAnswer {
  status: number;
  body: { deliveryId: string | null; outcome: string; ticket?: { id: string; code: string }; note?: string };
  /** A redelivery: the answer recorded the first time. */
  replay: boolean;
}

type Deps = Pick<TicketDeps, 'db' | 'boardCache' | 'wakeRelay' | 'logger'>;

async function recorded(deps: Deps, integrationId: string, deliveryId: string): Promise<HookAnswer | null> {
  const [row] = await deps.db
    .select({ status: integrationDeliveries.status, response: integrationDeliveries.response })
    .from(integrationDeliveries)
    .where(and(eq(integrationDeliveries.integrationId, integrationId), eq(integrationDeliveries.deliveryId, deliveryId), eq(integrationDeliveries.accepted, true)));
  return row ? { status: row.status, body: row.response as HookAnswer['body'], replay: true } : null;
}

export async function receiveHook(deps: Deps, limiter: RateLimiter, integrationId: string, raw: string, headers: Headers, retry = true): Promise<HookAnswer> {
  const integration = await integrationCache(deps.db).get(integrationId);
  if (!integration?.enabled) {
    deps.logger.warn('webhook refused', { integrationId, status: 404, reason: integration ? 'disabled' : 'unknown' });
    throw new NotFound(`Integration ${integrationId}`);
  }
  try {
    await takeOrThrow('deliveries to this integration', [limiter, integration.id]);
  } catch (err) {
    if (err instanceof RateLimited) deps.logger.warn('webhook refused', { integrationId, status: 429 });
    throw err;
  }
  const secrets = liveSecrets(integration);
  const verdict = integration.kind === 'github' ? verifyGitHub(raw, headers, secrets) : verifyStandard(raw, headers, secrets);
  const { deliveryId, event } = verdict;
  const refuse = async (err: DomainError, signatureOk: boolean) => {
    const status = err instanceof Unauthenticated ? 401 : httpStatusOf(err).status;
    deps.logger.warn('webhook refused', { integrationId, deliveryId, event, status, code: err.code, reason: err.message });
    await deps.db.insert(integrationDeliveries).values({
      id: Bun.randomUUIDv7(), integrationId, deliveryId, event, signatureOk, accepted: false, status, error: `${err.code}: ${err.message}`.slice(0, 1000),
    });
    return err;
  };
  if (!verdict.ok) throw await refuse(new Unauthenticated(verdict.message, verdict.code), false);
  if (!deliveryId) throw await refuse(new BadInput('X-GitHub-Delivery is required', 'DELIVERY_ID_MISSING'), true);

  // No look-up of the delivery id first: its unique index refuses a second record, and the
  // refusal (23505, below) answers what was recorded, whichever of the two came first.
  const bot = botUser(integration);

  try {
    let payload: unknown;
    try {
      payload = JSON.parse(raw);
    } catch {
      throw new InvalidField('(body)', 'is not valid JSON');
    }
    const generic = integration.kind === 'generic' ? parseGeneric(payload) : null;
    const plan = generic ? genericCreatePlan(integration.defaults, generic) : githubCreatePlan(integration.defaults, event, payload);
    if (plan) {
      const made = await createTicketFromDelivery(deps, integration.projectId, plan.input, bot, { integrationId, deliveryId, event, externalId: plan.externalId });
      if (made) return { status: 201, body: { deliveryId, outcome: 'created', ticket: made }, replay: false };
      // The external id has a ticket already (or the bot left): the transaction path decides.
    }
    const result = await inOneTransaction(deps, async (inner, tx) => {
      const effect = { deps: inner, tx, integration, bot };
      const r: HookResult =
        generic ? await applyGeneric(effect, generic) : event === 'ping' ? { status: 200, outcome: 'ping' } : await applyGitHub(effect, event ?? '', payload);
      const body = { deliveryId, outcome: r.outcome, ...(r.ticket ? { ticket: r.ticket } : {}), ...(r.note ? { note: r.note } : {}) };
      // Unique per accepted delivery id: a concurrent twin fails here and its whole effect rolls back.
      await tx.insert(integrationDeliveries).values({
        id: Bun.randomUUIDv7(), integrationId, deliveryId, event, signatureOk: true, accepted: true, status: r.status, ticketCode: r.ticket?.code ?? null, response: body,
        error: r.status === 202 ? r.note ?? null : null,
      });
      return { status: r.status, body, replay: false };
    });
    if (result.status === 202) deps.logger.info('webhook ignored', { integrationId, deliveryId, event, note: result.body.note });
    return result;
  } catch (err) {
    if (hasCode(err, '23505')) {
      const twin = await recorded(deps, integration.id, deliveryId);
      if (twin) return twin;
      // Another delivery mapped the same external id at the same moment: now it exists, update it.
      if (retry) return receiveHook(deps, limiter, integrationId, raw, headers, false);
    }
    if (err instanceof DomainError) {
      // A redelivery whose effect no longer applies (its ticket deleted since) still gets its answer.
      const earlier = await recorded(deps, integration.id, deliveryId);
      if (earlier) return earlier;
      throw await refuse(err, true);
    }
    throw err;
  }
}

export type { IntegrationRow };
