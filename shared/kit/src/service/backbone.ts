/**
 * @module What every service with a database and events starts the same way: its database
 * (created and migrated under the advisory lock), a Drizzle connection, the bus (Kafka, or the one in
 * `ctx.bus`), the
 * outbox relay and, given handlers, the consumer, with their health checks and an orderly stop.
 * The service adds its own parts.
 */
import { consumerSettings, createKafkaBus, startConsumerInBackground, type BackgroundConsumer, type ConsumerConfig, type EventBus, type Handlers } from '../bus/index.ts';
import { createDb, ensureDatabase, migrateEmbedded, type Db, type MigrationFiles } from '../db/index.ts';
import type { HealthCheck } from '../http/index.ts';
import { OutboxRelay, createRelayWaker } from '../outbox/index.ts';
import { DEFAULT_LOG_RETENTION_MS, RetentionSweeper, type RetentionRule } from '../retention/index.ts';
import type { ServiceContext } from './context.ts';

/** The variables every such service reads under the same names (DESIGN § Configuration). */
export interface BackboneConfig extends Partial<ConsumerConfig> {
  DATABASE_URL: string;
  DB_POOL_MAX: number;
  KAFKA_BROKERS: string[];
  OUTBOX_POLL_MS: number;
  /** How long published outbox rows are kept (the event log reads them); the relay's default if absent. */
  EVENT_RETENTION_MS?: number;
  /** How long the `retention` rules' rows are kept (the inbox, delivery logs); 60 days if absent. */
  LOG_RETENTION_MS?: number;
}

/** What handlers may use: the backbone's parts, before the service has built the rest. */
export interface BackboneParts<S extends Record<string, unknown>> {
  db: Db<S>;
  bus: EventBus;
  wakeRelay: () => void;
}

export interface BackboneOptions<S extends Record<string, unknown>> {
  /** The service's name: the relay's lock, the migration lock, the connection and client names. */
  name: string;
  config: BackboneConfig;
  migrations: MigrationFiles;
  schema: S;
  /**
   * The service's consumer, if it has one: its topics' handlers (config `consumerEnv()` gives
   * the group, offset reset, retry policy and partition concurrency).
   */
  handlers?: (parts: BackboneParts<S>) => Handlers;
  /** The service's logs that grow with traffic (its inbox, delivery logs): deleted by age. */
  retention?: RetentionRule[];
}

export interface Backbone<S extends Record<string, unknown>> extends BackboneParts<S> {
  relay: OutboxRelay;
  /** With `handlers`: the consumer; `ready` resolves once its group is joined. */
  consumer: BackgroundConsumer | null;
  /**
   * Postgres is critical; Kafka away only delays events (they wait in the outbox): degraded. The
   * consumer (with `handlers`) likewise: until it has joined, or while it waits for a dependency,
   * events wait in Kafka.
   */
  checks: Record<string, HealthCheck>;
  /** Stops the consumer, the relay (it finishes its batch), then the bus, then the connections. */
  stop(): Promise<void>;
}

export async function startBackbone<S extends Record<string, unknown>>(ctx: ServiceContext, o: BackboneOptions<S>): Promise<Backbone<S>> {
  const { config } = o;
  const logger = ctx.logger.child({ svc: o.name });
  await ensureDatabase(config.DATABASE_URL);
  await migrateEmbedded(config.DATABASE_URL, o.migrations, `${o.name}-migrations`);
  const db = createDb(config.DATABASE_URL, o.schema, { applicationName: `syncro-${o.name}`, max: config.DB_POOL_MAX });
  // Built before anything starts: a retention below the floor fails here, not half-way up.
  const sweeper = o.retention?.length
    ? new RetentionSweeper({ name: o.name, sql: db.$client, logger, metrics: ctx.metrics, rules: o.retention, keepMs: config.LOG_RETENTION_MS ?? DEFAULT_LOG_RETENTION_MS })
    : null;
  // A bus given by the process (the embedded default's Postgres bus) is shared: not ours to close.
  const ownBus = !ctx.bus;
  const bus = ctx.bus ?? createKafkaBus({ brokers: config.KAFKA_BROKERS, clientId: `syncro-${o.name}`, logger });
  const relay = new OutboxRelay({
    sql: db.$client,
    bus,
    logger,
    name: o.name,
    pollMs: config.OUTBOX_POLL_MS,
    ...(config.EVENT_RETENTION_MS !== undefined ? { retentionMs: config.EVENT_RETENTION_MS } : {}),
    metrics: ctx.metrics,
  });
  relay.start();
  const parts: BackboneParts<S> = { db, bus, wakeRelay: createRelayWaker(db.$client, relay) };

  let consumer: BackgroundConsumer | null = null;
  if (o.handlers) {
    if (config.KAFKA_GROUP_ID === undefined) throw new Error(`${o.name}: a service with handlers needs consumerEnv() in its config`);
    consumer = startConsumerInBackground({
      bus,
      ...consumerSettings(config as BackboneConfig & ConsumerConfig),
      logger,
      metrics: ctx.metrics,
      handlers: o.handlers(parts),
    });
  }
  const running = consumer;
  sweeper?.start();

  return {
    ...parts,
    relay,
    consumer,
    checks: {
      postgres: { critical: true, check: () => db.$client`select 1` },
      // The relay says whether publishing fails; the probe says at once that the broker is gone.
      kafka: { critical: false, check: () => relay.check().then(() => bus.check()) },
      ...(running ? { consumer: { critical: false, check: () => running.check() } } : {}),
    },
    async stop() {
      await consumer?.stop();
      await sweeper?.stop();
      await relay.stop();
      if (ownBus) await bus.close();
      await db.$client.end({ timeout: 5 });
    },
  };
}
