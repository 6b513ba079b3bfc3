/**
 * @module The Ticket Service: projects, members, tickets, comments, the cached board and the event
 * log. `start()` migrates, connects and starts the outbox relay, and returns the Elysia plugin.
 */
import { createTokenVerifier, type TokenVerifier } from '@syncro/kit/auth';
import { createKafkaBus, type BackgroundConsumer, type EventBus } from '@syncro/kit/bus';
import { createRedisCache, createUpstashCache, type Cache } from '@syncro/kit/cache';
import { createDb, ensureDatabase, migrateEmbedded } from '@syncro/kit/db';
import { OutboxRelay, createRelayWaker } from '@syncro/kit/outbox';
import type { RunningService, ServiceContext } from '@syncro/kit/service';
import { Elysia } from 'elysia';
import { startAssignedConsumer } from './assignments/assignedConsumer.ts';
import { boardRoutes } from './board/board.routes.ts';
import { createBoardCache } from './board/boardCache.ts';
import { commentRoutes } from './comments/comments.routes.ts';
import { loadTicketConfig, type TicketConfig } from './config.ts';
import type { TicketDeps } from './context.ts';
import { migrationFiles } from './db/migrations.ts';
import * as schema from './db/schema.ts';
import { eventRoutes } from './events/events.routes.ts';
import { projectRoutes } from './projects/projects.routes.ts';
import { ticketRoutes } from './tickets/tickets.routes.ts';

export { loadTicketConfig, type TicketConfig };

export const ticketsPlugin = (deps: TicketDeps) =>
  new Elysia({ name: 'tickets' })
    .use(projectRoutes(deps))
    .use(ticketRoutes(deps))
    .use(commentRoutes(deps))
    .use(boardRoutes(deps))
    .use(eventRoutes(deps));

export interface TicketService extends RunningService {
  deps: TicketDeps;
  relay: OutboxRelay;
  bus: EventBus;
  /** Applies `ticket.assigned`; `ready` resolves once its group is joined. */
  consumer: BackgroundConsumer;
}

export interface StartOptions {
  config?: TicketConfig;
  /** Tests and the all-in-one process may bring their own verifier (e.g. auth's local key set). */
  verify?: TokenVerifier;
  /** Tests on a shared broker: a new consumer group starts at the topics' end, not their history. */
  consumeFromNow?: boolean;
}

export async function start(ctx: ServiceContext, opts: StartOptions = {}): Promise<TicketService> {
  const config = opts.config ?? loadTicketConfig();
  const logger = ctx.logger.child({ svc: 'tickets' });
  await ensureDatabase(config.DATABASE_URL);
  await migrateEmbedded(config.DATABASE_URL, migrationFiles, 'tickets-migrations');

  const db = createDb(config.DATABASE_URL, schema, { applicationName: 'syncro-tickets', max: config.DB_POOL_MAX });
  const cache: Cache | null =
    config.BOARD_CACHE === 'redis'
      ? createRedisCache({ url: config.REDIS_URL })
      : config.BOARD_CACHE === 'upstash'
        ? createUpstashCache({ url: config.UPSTASH_REDIS_REST_URL!, token: config.UPSTASH_REDIS_REST_TOKEN! })
        : null;
  const verify =
    opts.verify ?? createTokenVerifier({ jwksUrl: config.JWKS_URL, issuer: config.AUTH_ISSUER, audience: config.AUTH_AUDIENCE });
  const bus = createKafkaBus({ brokers: config.KAFKA_BROKERS, clientId: 'syncro-tickets', logger });
  const relay = new OutboxRelay({
    sql: db.$client,
    bus,
    logger,
    name: 'tickets',
    pollMs: config.OUTBOX_POLL_MS,
    retentionMs: config.EVENT_RETENTION_MS,
    metrics: ctx.metrics,
  });
  relay.start();
  const deps: TicketDeps = {
    db,
    boardCache: createBoardCache(cache, logger),
    wakeRelay: createRelayWaker(db.$client, relay),
    verify,
    logger,
    metrics: ctx.metrics,
  };
  const consumer = startAssignedConsumer(deps, bus, { groupId: config.KAFKA_GROUP_ID, fromNow: opts.consumeFromNow ?? config.KAFKA_OFFSET_RESET === 'latest' });

  return {
    name: 'tickets',
    plugin: ticketsPlugin(deps),
    deps,
    relay,
    bus,
    consumer,
    checks: {
      postgres: { critical: true, check: () => db.$client`select 1` },
      // Kafka away only delays events (they wait in the outbox): degraded, not down.
      kafka: { critical: false, check: () => relay.check() },
      // Until it has joined, assignments wait in Kafka: degraded, not down.
      consumer: { critical: false, check: () => consumer.check() },
      ...(cache ? { redis: { critical: false, check: () => cache.ping() } } : {}),
    },
    async stop() {
      await consumer.stop();
      await relay.stop();
      await bus.close();
      cache?.close();
      await db.$client.end({ timeout: 5 });
    },
  };
}
