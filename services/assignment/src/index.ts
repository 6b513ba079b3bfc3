/**
 * @module The Assignment Service: a projection of projects, members and open tickets from the
 * Ticket Service's events; automatic assignment of new tickets; manual assignment; the decision
 * log. `start()` migrates, connects, starts the outbox relay and the consumer, and returns the plugin.
 */
import { createTokenVerifier, type TokenVerifier } from '@syncro/kit/auth';
import type { BackgroundConsumer, EventBus } from '@syncro/kit/bus';
import type { OutboxRelay } from '@syncro/kit/outbox';
import { startBackbone, type RunningService, type ServiceContext } from '@syncro/kit/service';
import { Elysia } from 'elysia';
import { loadAssignmentConfig, AssignmentConfig } from './config.ts';
import { projectionHandlers } from './consumer.ts';
import type { AssignDeps } from './context.ts';
import { migrationFiles } from './db/migrations.ts';
import { logRetention } from './db/retention.ts';
import * as schema from './db/schema.ts';
import { projectRoutes } from './projects/projects.routes.ts';
import { ticketRoutes } from './tickets/tickets.routes.ts';

export { loadAssignmentConfig, AssignmentConfig };
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
  now?: () => Date;
}

export async function start(ctx: ServiceContext, opts: StartOptions = {}): Promise<AssignmentService> {
  const config = opts.config ?? loadAssignmentConfig();
  const logger = ctx.logger.child({ svc: 'assignment' });
  const verify =
    opts.verify ?? createTokenVerifier({ jwksUrl: config.JWKS_URL, issuer: config.AUTH_ISSUER, audience: config.AUTH_AUDIENCE });
  const now = opts.now ?? (() => new Date());
  const depsOf = ({ db, wakeRelay }: { db: AssignDeps['db']; wakeRelay: () => void }): AssignDeps => ({ db, wakeRelay, verify, logger, metrics: ctx.metrics, now });
  const backbone = await startBackbone(ctx, {
    name: 'assignment',
    config,
    migrations: migrationFiles,
    schema,
    handlers: (parts) => projectionHandlers(depsOf(parts)),
    retention: logRetention,
  });
  const { bus, relay } = backbone;
  const deps = depsOf(backbone);
  const consumer = backbone.consumer!;

  return {
    name: 'assignment',
    plugin: assignmentPlugin(deps),
    deps,
    relay,
    bus,
    consumer,
    checks: backbone.checks,
    stop: () => backbone.stop(),
  };
}
