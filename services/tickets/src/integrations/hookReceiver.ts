/**
 * @module Receives one inbound delivery: known and enabled integration (404) → its rate limit (429)
 * → signature (401) → a delivery id seen before answers its recorded result → the body (422) → the
 * effect and the delivery record in ONE transaction. Every refusal is logged, and one that reached a
 * known integration is a row of its delivery log; none writes a ticket or an idempotency record.
 */
import { BadInput, DomainError, InvalidField, NotFound, RateLimited, Unauthenticated } from '@syncro/kit/errors';
import { httpStatusOf } from '@syncro/kit/http';
import type { RateLimiter } from '@syncro/kit/ratelimit';
import { takeOrThrow } from '@syncro/kit/ratelimit';
import { and, eq } from 'drizzle-orm';
import type { TicketDeps } from '../context.ts';
import { hasCode } from '../projects/projectCreator.ts';
import { botUser, inOneTransaction } from './botDeps.ts';
import { applyGeneric, parseGeneric } from './genericHook.ts';
import { applyGitHub } from './githubHook.ts';
import type { HookResult } from './hookEffects.ts';
import { verifyGitHub, verifyStandard } from './hookVerifier.ts';
import { integrationDeliveries, integrations, type IntegrationRow } from './integrations.model.ts';
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

export async function receiveHook(deps: Deps, limiter: RateLimiter, integrationId: string, raw: string, headers: Headers): Promise<HookAnswer> {
  const [integration] = await deps.db.select().from(integrations).where(eq(integrations.id, integrationId));
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

  const seen = await recorded(deps, integration.id, deliveryId);
  if (seen) return seen;

  try {
    let payload: unknown;
    try {
      payload = JSON.parse(raw);
    } catch {
      throw new InvalidField('(body)', 'is not valid JSON');
    }
    const generic = integration.kind === 'generic' ? parseGeneric(payload) : null;
    const result = await inOneTransaction(deps, async (inner, tx) => {
      const effect = { deps: inner, tx, integration, bot: botUser(integration) };
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
    }
    if (err instanceof DomainError) throw await refuse(err, true);
    throw err;
  }
}

export type { IntegrationRow };
