/**
 * @module The Assignment Service: a projection of projects, members and open tickets from the
 * Ticket Service's events; automatic assignment of new tickets; manual assignment; the decision
 * log. `start()` migrates, connects, starts the outbox relay and the consumer, and returns the plugin.
 */
import { createTokenVerifier, type TokenVerifier } from '@syncro/kit/auth';
import { consumerSettings, type BackgroundConsumer, type EventBus } from '@syncro/kit/bus';
import type { OutboxRelay } from '@syncro/kit/outbox';
import { startBackbone, type RunningService, type ServiceContext } from '@syncro/kit/service';
import { Elysia } from 'elysia';
import { loadAssignmentConfig, type AssignmentConfig } from './config.ts';
import { startProjectionConsumer } from './consumer.ts';
import type { AssignDeps } from './context.ts';
import { migrationFiles } from './db/migrations.ts';
import * as schema from './db/schema.ts';
import { projectRoutes } from './projects/projects.routes.ts';
import { ticketRoutes } from './tickets/tickets.routes.ts';

export { loadAssignmentConfig, type AssignmentConfig };
export { PRIORITY_WEIGHTS, rankCandidates } from './assigning/ranking.ts';

export const assignmentPlugin = (deps: AssignDeps) =>
  new Elysia({ name: 'assignment' }).use(projectRoutes(deps)).use(ticketRoutes(deps));

export interface AssignmentService extends RunningService {
  deps: AssignDeps;
  relay: OutboxRelay;
  bus: EventBus;
  /** The projection consumer; `ready` resolves once its group is joined. */
  consumer: BackgroundConsumer;
}

export interface StartOptions {
  config?: AssignmentConfig;
  /** Tests and the all-in-one process may bring their own verifier. */
  verify?: TokenVerifier;
  /** Tests on a shared broker: a new consumer group starts at the topics' end, not their history. */
  consumeFromNow?: boolean;
  /** Tests on a shared broker: serve only projects whose key passes (see consumer.ts). */
  scope?: (projectKey: string) => boolean;
  now?: () => Date;
}

export async function start(ctx: ServiceContext, opts: StartOptions = {}): Promise<AssignmentService> {
  const config = opts.config ?? loadAssignmentConfig();
  const logger = ctx.logger.child({ svc: 'assignment' });
  const backbone = await startBackbone(ctx, { name: 'assignment', config, migrations: migrationFiles, schema });
  const { db, bus, relay } = backbone;
  const verify =
    opts.verify ?? createTokenVerifier({ jwksUrl: config.JWKS_URL, issuer: config.AUTH_ISSUER, audience: config.AUTH_AUDIENCE });
  const deps: AssignDeps = {
    db,
    wakeRelay: backbone.wakeRelay,
    verify,
    logger,
    metrics: ctx.metrics,
    now: opts.now ?? (() => new Date()),
  };
  const consumer = startProjectionConsumer(deps, bus, { ...consumerSettings(config, opts.consumeFromNow), scope: opts.scope });

  return {
    name: 'assignment',
    plugin: assignmentPlugin(deps),
    deps,
    relay,
    bus,
    consumer,
    checks: {
      ...backbone.checks,
      // Until it has joined, new tickets wait in Kafka: degraded, not down.
      consumer: { critical: false, check: () => consumer.check() },
    },
    async stop() {
      await consumer.stop();
      await backbone.stop();
    },
  };
}
