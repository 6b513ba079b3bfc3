/**
 * @module The realtime hub: WebSocket `/ws` with one room per project fed from Redis Pub/Sub, the
 * one-time connection tickets, and the Kafka → Redis bridge. `start()` connects Redis, starts the
 * bridge (unless BRIDGE=0) and returns the plugin.
 */
import { createTokenVerifier, type TokenVerifier } from '@syncro/kit/auth';
import { consumerSettings, createKafkaBus, type BackgroundConsumer, type EventBus } from '@syncro/kit/bus';
import { createRedisCache, type Cache } from '@syncro/kit/cache';
import type { RunningService, ServiceContext } from '@syncro/kit/service';
import type { Server } from 'bun';
import { Elysia } from 'elysia';
import { createServiceTokenProvider } from './auth/serviceToken.ts';
import { startBridge } from './bridge/bridge.ts';
import { loadRealtimeConfig, RealtimeConfig } from './config.ts';
import type { RealtimeDeps } from './context.ts';
import { createBoardLog, type BoardLog } from './redis/boardLog.ts';
import { createRedisSubscriber } from '@syncro/kit/pubsub';
import { Hub } from './rooms/hub.ts';
import { createPresenceStore } from './rooms/presence.ts';
import { createConnectionTickets } from './socket/connectionTickets.ts';
import { SocketRegistry, socketRoutes } from './socket/socket.routes.ts';
import { ticketRoutes } from './socket/ticket.routes.ts';
import { createTicketsApi } from './tickets/ticketsApi.ts';

export { loadRealtimeConfig, RealtimeConfig };
export { boardChannel, boardLogKey, type BoardEvent } from './redis/boardLog.ts';

export const realtimePlugin = (deps: RealtimeDeps, sockets = new SocketRegistry()) =>
  new Elysia({ name: 'realtime' }).use(ticketRoutes(deps)).use(socketRoutes(deps, sockets));

export interface RealtimeService extends RunningService {
  deps: RealtimeDeps;
  hub: Hub;
  boardLog: BoardLog;
  /** The bridge consumer (null with BRIDGE=0); `ready` resolves once its group is joined. */
  bridge: BackgroundConsumer | null;
  sockets: SocketRegistry;
  /** The service credential rooms read the event log with (undefined: a member's own token). */
  serviceToken: (() => Promise<string>) | undefined;
  /**
   * Closes every socket with 1012 (clients reconnect and resume). Call it before stopping the
   * server: Bun's graceful stop waits for open sockets. SIGTERM and SIGINT call it by themselves.
   */
  closeSockets(): void;
}

export interface StartOptions {
  config?: RealtimeConfig;
  /** Tests and the all-in-one process may bring their own verifier. */
  verify?: TokenVerifier;
  /** The service credential rooms read the event log with (see HubDeps.serviceToken). */
  serviceToken?: () => Promise<string>;
}

export async function start(ctx: ServiceContext, opts: StartOptions = {}): Promise<RealtimeService> {
  const config = opts.config ?? loadRealtimeConfig();
  const logger = ctx.logger.child({ svc: 'realtime' });
  // The process's own cache and pub/sub (all-in-one embedded default) when given: shared, not closed here.
  const cache = ctx.cache ? Object.assign(Object.create(ctx.cache) as Cache, { close: () => {} }) : createRedisCache({ url: config.REDIS_URL, timeoutMs: 1000 });
  const boardLog = createBoardLog(cache, { cap: config.HOT_WINDOW_EVENTS, ttlSeconds: config.HOT_WINDOW_TTL_S });
  const api = createTicketsApi(config.TICKETS_URL, { maxConcurrent: config.TICKETS_MAX_CONCURRENCY });
  const verify =
    opts.verify ?? createTokenVerifier({ jwksUrl: config.JWKS_URL, issuer: config.AUTH_ISSUER, audience: config.AUTH_AUDIENCE });

  const serviceToken =
    opts.serviceToken ??
    (config.SERVICE_CLIENT_ID && config.SERVICE_CLIENT_SECRET
      ? createServiceTokenProvider({ authUrl: config.AUTH_URL, clientId: config.SERVICE_CLIENT_ID, clientSecret: config.SERVICE_CLIENT_SECRET })
      : undefined);
  if (!serviceToken) {
    logger.warn('no service credential (SERVICE_CLIENT_ID/SERVICE_CLIENT_SECRET unset): rooms read the event log with a member\'s own token, so a room with no member cannot repair');
  }

  const publishRedis = async (channel: string, message: string) => {
    await cache.eval(`return redis.call('PUBLISH', KEYS[1], ARGV[1])`, [channel], [message]);
  };

  let server: Server<unknown> | null = null;
  const instanceId = Bun.randomUUIDv7();
  const hub = new Hub({
    api,
    presence: createPresenceStore(cache, instanceId, config.PRESENCE_HEARTBEAT_MS * 3),
    instanceId,
    serviceToken,
    publishRedis,
    heartbeatMs: config.PRESENCE_HEARTBEAT_MS,
    livenessMs: config.LIVENESS_CHECK_MS,
    boardLog,
    logger,
    holeGraceMs: config.HOLE_GRACE_MS,
    publish: (topic, message) => void server?.publish(topic, message),
  });
  hub.subscriber = ctx.subscriber ? ctx.subscriber() : createRedisSubscriber(config.REDIS_URL, logger, () => hub.repairAll());

  const deps: RealtimeDeps = {
    hub,
    tickets: createConnectionTickets(cache),
    api,
    verify,
    logger,
    allowedOrigins: config.WS_ALLOWED_ORIGINS,
    setServer: (s) => (server ??= s),
  };

  let bus: EventBus | null = null;
  let bridge: BackgroundConsumer | null = null;
  if (config.BRIDGE === '1') {
    bus = ctx.bus ?? createKafkaBus({ brokers: config.KAFKA_BROKERS, clientId: 'syncro-realtime', logger });
    bridge = startBridge({
      bus,
      boardLog,
      logger,
      metrics: ctx.metrics,
      ...(config.BRIDGE_NOTIFICATIONS === '1' ? { publish: publishRedis } : {}),
      ...consumerSettings(config),
    });
  }
  const sockets = new SocketRegistry();
  sockets.guardBackpressure(config.WS_BACKPRESSURE_LIMIT_BYTES, 250);
  ctx.metrics.gauge('realtime_slow_sockets_closed', 'Sockets closed for reading too slowly (since start)', () => sockets.slowClosed);
  const closeSockets = () => sockets.closeAll();
  process.on('SIGTERM', closeSockets);
  process.on('SIGINT', closeSockets);
  ctx.metrics.gauge('realtime_sockets', 'Open sockets of this hub instance', () => sockets.size);
  ctx.metrics.gauge('realtime_tickets_calls_waiting', 'Calls to the Ticket Service waiting for a slot (TICKETS_MAX_CONCURRENCY)', () => api.waiting);
  ctx.metrics.gauge('realtime_rooms', 'Rooms held by this hub instance', () => hub.rooms.size);
  ctx.metrics.gauge('realtime_user_channels', 'user:{id} channels this instance subscribes (users with a socket here)', () => hub.users.size);

  return {
    name: 'realtime',
    plugin: realtimePlugin(deps, sockets),
    deps,
    sockets,
    serviceToken,
    closeSockets,
    hub,
    boardLog,
    bridge,
    checks: {
      redis: { critical: true, check: () => cache.ping() },
      ...(bridge ? { bridge: { critical: false, check: () => bridge.check() } } : {}),
    },
    async stop() {
      process.off('SIGTERM', closeSockets);
      process.off('SIGINT', closeSockets);
      closeSockets();
      sockets.stop();
      await bridge?.stop();
      if (bus !== ctx.bus) await bus?.close();
      hub.stop();
      hub.subscriber.close();
      cache.close();
    },
  };
}
