/**
 * @module The Notification Service: its own projection of users, projects and tickets from
 * events; preferences; templates per locale; email (SMTP), Web Push and an in-app feed; a delivery
 * log worked by a sender loop. `start()` migrates, connects, starts the relay, the consumer and the
 * sender, and returns the plugin.
 */
import { createTokenVerifier, type TokenVerifier } from '@syncro/kit/auth';
import type { BackgroundConsumer, EventBus } from '@syncro/kit/bus';
import type { OutboxRelay } from '@syncro/kit/outbox';
import { startBackbone, type RunningService, type ServiceContext } from '@syncro/kit/service';
import { Elysia } from 'elysia';
import { createAnnouncer } from './announcer.ts';
import { loadNotifyConfig, NotifyConfig } from './config.ts';
import { notificationHandlers } from './consumer.ts';
import type { NotifyDeps } from './context.ts';
import { migrationFiles } from './db/migrations.ts';
import { logRetention } from './db/retention.ts';
import * as schema from './db/schema.ts';
import { FanoutWorkers } from './fanout/fanoutWorkers.ts';
import { startWaitingSweeper } from './fanout/waitingSweeper.ts';
import { DeliverySender } from './delivery/deliverySender.ts';
import { createEmailTransport } from './delivery/emailTransport.ts';
import { createPushSender } from './delivery/pushSender.ts';
import { notificationRoutes } from './notifications.routes.ts';
import { UNSUBSCRIBE_PATH, unsubscribeRoutes } from './unsubscribe.routes.ts';

export { loadNotifyConfig, NotifyConfig };

export const notificationsPlugin = (deps: NotifyDeps) =>
  new Elysia({ name: 'notifications' }).use(unsubscribeRoutes(deps)).use(notificationRoutes(deps));

export interface NotificationService extends RunningService {
  deps: NotifyDeps;
  relay: OutboxRelay;
  bus: EventBus;
  sender: DeliverySender;
  /** `ready` resolves once its group is joined. */
  consumer: BackgroundConsumer;
}

export interface StartOptions {
  config?: NotifyConfig;
  /** Tests and the all-in-one process may bring their own verifier. */
  verify?: TokenVerifier;
  now?: () => Date;
}

export async function start(ctx: ServiceContext, opts: StartOptions = {}): Promise<NotificationService> {
  const config = opts.config ?? loadNotifyConfig();
  const logger = ctx.logger.child({ svc: 'notifications' });
  const verify =
    opts.verify ?? createTokenVerifier({ jwksUrl: config.JWKS_URL, issuer: config.AUTH_ISSUER, audience: config.AUTH_AUDIENCE });
  const email = createEmailTransport({ url: config.SMTP_URL, from: config.SMTP_FROM, poolSize: config.SMTP_POOL_SIZE });
  const announcer = createAnnouncer(ctx.pubsub ?? config.REDIS_URL, logger);
  // The sender and fan-out need the database the backbone opens; the consumer, started with it,
  // wakes them late-bound (until they run, their first round picks up what it wrote).
  let sender: DeliverySender | null = null;
  let fanout: FanoutWorkers | null = null;
  const depsOf = ({ db, wakeRelay }: { db: NotifyDeps['db']; wakeRelay: () => void }): NotifyDeps => ({
    db,
    config,
    verify,
    logger,
    metrics: ctx.metrics,
    wakeRelay,
    wakeSender: () => sender?.wake(),
    wakeFanout: () => fanout?.wake(),
    announce: (items) => announcer.announce(items),
    now: opts.now ?? (() => new Date()),
  });
  const backbone = await startBackbone(ctx, {
    name: 'notifications',
    config,
    migrations: migrationFiles,
    schema,
    handlers: (parts) => notificationHandlers(depsOf(parts)),
    retention: logRetention,
  }).catch((err) => {
    email.close();
    announcer.close();
    throw err;
  });
  const { relay, bus } = backbone;
  const deps = depsOf(backbone);
  const consumer = backbone.consumer!;
  const push =
    config.VAPID_PUBLIC_KEY && config.VAPID_PRIVATE_KEY
      ? createPushSender(deps.db, { subject: config.VAPID_SUBJECT, publicKey: config.VAPID_PUBLIC_KEY, privateKey: config.VAPID_PRIVATE_KEY })
      : null;
  sender = new DeliverySender({
    db: deps.db,
    logger,
    metrics: ctx.metrics,
    email,
    push,
    pollMs: config.SENDER_POLL_MS,
    batch: config.SENDER_BATCH,
    maxAttempts: config.DELIVERY_MAX_ATTEMPTS,
    maxBackoffMs: config.DELIVERY_MAX_BACKOFF_MS,
  });
  fanout = new FanoutWorkers(deps, { concurrency: config.FANOUT_CONCURRENCY, pollMs: config.FANOUT_POLL_MS, batch: config.FANOUT_BATCH });
  sender.start(config.SENDER_LANES);
  fanout.start();
  const sweeper = startWaitingSweeper(deps, config.ACTOR_WAIT_MS, config.WAITING_MAX_AGE_MS);
  const [startedSender, startedFanout] = [sender, fanout];

  return {
    name: 'notifications',
    plugin: notificationsPlugin(deps),
    rawBodyPaths: [UNSUBSCRIBE_PATH],
    deps,
    relay,
    bus,
    sender: startedSender,
    consumer,
    checks: backbone.checks,
    async stop() {
      // The consumer first (the backbone stops it again as a no-op), so nothing new is handed to the workers.
      await consumer.stop();
      await sweeper.stop();
      await startedFanout.stop();
      await startedSender.stop();
      email.close();
      announcer.close();
      await backbone.stop();
    },
  };
}
