/**
 * @module The Ticket Service: projects, members, tickets, comments, the cached board and the event
 * log. `start()` migrates, connects and starts the outbox relay, and returns the Elysia plugin.
 */
import { createTokenVerifier, type TokenVerifier } from '@syncro/kit/auth';
import type { BackgroundConsumer, EventBus } from '@syncro/kit/bus';
import { createRedisCache, createUpstashCache, type Cache } from '@syncro/kit/cache';
import type { OutboxRelay } from '@syncro/kit/outbox';
import { startBackbone, type RunningService, type ServiceContext } from '@syncro/kit/service';
import { Elysia } from 'elysia';
import { assignedHandlers } from './assignments/assignedConsumer.ts';
import { boardRoutes } from './board/board.routes.ts';
import { createBoardCache } from './board/boardCache.ts';
import { commentRoutes } from './comments/comments.routes.ts';
import { loadTicketConfig, TicketConfig } from './config.ts';
import type { TicketDeps } from './context.ts';
import { migrationFiles } from './db/migrations.ts';
import { logRetention } from './db/retention.ts';
import * as schema from './db/schema.ts';
import { eventRoutes } from './events/events.routes.ts';
import { createServiceVerifier, type ServiceVerifier } from './events/serviceCaller.ts';
import { projectRoutes } from './projects/projects.routes.ts';
import { hookRoutes, HOOKS_PATH } from './integrations/hooks.routes.ts';
import { integrationRoutes } from './integrations/integrations.routes.ts';
import { ticketRoutes } from './tickets/tickets.routes.ts';
import { mergeHandlers, webhookHandlers } from './webhooks/webhookQueue.ts';
import { WebhookSender } from './webhooks/webhookSender.ts';
import { webhookRoutes } from './webhooks/webhooks.routes.ts';

export { loadTicketConfig, TicketConfig };
/** The all-in-one process builds one on auth's key set (no JWKS over HTTP). */
export { createServiceVerifier, type ServiceVerifier } from './events/serviceCaller.ts';

export const ticketsPlugin = (deps: TicketDeps) =>
  new Elysia({ name: 'tickets' })
    // First: the users' guard is scoped, so it would also guard the event log if mounted before it,
    // and the event log also takes service credentials (whose audience that guard refuses).
    .use(eventRoutes(deps))
    // No login: the signature authenticates (before the users' guard, which is scoped like the above).
    .use(hookRoutes(deps))
    .use(projectRoutes(deps))
    .use(ticketRoutes(deps))
    .use(commentRoutes(deps))
    .use(boardRoutes(deps))
    .use(integrationRoutes(deps))
    .use(webhookRoutes(deps));

export interface TicketService extends RunningService {
  deps: TicketDeps;
  relay: OutboxRelay;
  bus: EventBus;
  /** Applies `ticket.assigned` and queues outbound webhooks; `ready` resolves once its group is joined. */
  consumer: BackgroundConsumer;
  webhookSender: WebhookSender;
}

export interface StartOptions {
  config?: TicketConfig;
  /** Tests and the all-in-one process may bring their own verifier (e.g. auth's local key set). */
  verify?: TokenVerifier;
  /** The service-credential verifier (the all-in-one process: built on auth's key set). */
  verifyService?: ServiceVerifier;
}

export async function start(ctx: ServiceContext, opts: StartOptions = {}): Promise<TicketService> {
  const config = opts.config ?? loadTicketConfig();
  const logger = ctx.logger.child({ svc: 'tickets' });
  // The process's own cache (all-in-one embedded default) is shared: used when given, never closed here.
  const cache: Cache | null =
    ctx.cache && config.BOARD_CACHE !== 'off'
      ? Object.assign(Object.create(ctx.cache) as Cache, { close: () => {} })
      : config.BOARD_CACHE === 'redis'
      ? createRedisCache({ url: config.REDIS_URL })
      : config.BOARD_CACHE === 'upstash'
        ? createUpstashCache({ url: config.UPSTASH_REDIS_REST_URL!, token: config.UPSTASH_REDIS_REST_TOKEN! })
        : null;
  const boardCache = createBoardCache(cache, logger);
  const verify =
    opts.verify ?? createTokenVerifier({ jwksUrl: config.JWKS_URL, issuer: config.AUTH_ISSUER, audience: config.AUTH_AUDIENCE });
  const verifyService =
    opts.verifyService ?? createServiceVerifier({ jwksUrl: config.JWKS_URL, issuer: config.AUTH_ISSUER, audience: config.SERVICE_AUDIENCE });
  // The sender needs the database the backbone opens; the consumer, built before it, wakes it late-bound.
  let webhookSender: WebhookSender | null = null;
  const wakeWebhooks = () => webhookSender?.wake();
  const depsOf = ({ db, wakeRelay }: { db: TicketDeps['db']; wakeRelay: () => void }): TicketDeps => ({
    db, boardCache, wakeRelay, verify, verifyService, logger, metrics: ctx.metrics, config, wakeWebhooks,
  });
  if (config.WEBHOOKS_ALLOW_PRIVATE === '1') {
    logger.warn('WEBHOOKS_ALLOW_PRIVATE=1: outbound webhooks may reach loopback and private addresses (tests and local setups only)');
  }
  const backbone = await startBackbone(ctx, {
    name: 'tickets',
    config,
    migrations: migrationFiles,
    schema,
    handlers: (parts) => mergeHandlers(assignedHandlers(depsOf(parts)), webhookHandlers(depsOf(parts))),
    retention: logRetention,
  }).catch((err) => {
    cache?.close();
    throw err;
  });
  const { bus, relay } = backbone;
  const deps = depsOf(backbone);
  const consumer = backbone.consumer!;
  const sender = new WebhookSender({
    db: deps.db,
    logger,
    metrics: ctx.metrics,
    allowPrivate: config.WEBHOOKS_ALLOW_PRIVATE === '1',
    pollMs: config.WEBHOOKS_POLL_MS,
    baseBackoffMs: config.WEBHOOKS_BASE_BACKOFF_MS,
    maxAttempts: config.WEBHOOKS_MAX_ATTEMPTS,
    maxBackoffMs: config.WEBHOOKS_MAX_BACKOFF_MS,
    timeoutMs: config.WEBHOOKS_TIMEOUT_MS,
    lanes: config.WEBHOOKS_SENDER_LANES,
  });
  webhookSender = sender;
  sender.start();

  return {
    name: 'tickets',
    plugin: ticketsPlugin(deps),
    deps,
    relay,
    bus,
    consumer,
    webhookSender: sender,
    rawBodyPaths: [HOOKS_PATH],
    checks: {
      ...backbone.checks,
      ...(cache ? { redis: { critical: false, check: () => cache.ping() } } : {}),
    },
    async stop() {
      await sender.stop();
      await backbone.stop();
      cache?.close();
    },
  };
}
