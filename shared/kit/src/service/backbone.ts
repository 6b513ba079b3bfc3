/**
 * @module What every service with a database and events starts the same way: its database
 * (created and migrated under the advisory lock), a Drizzle connection, the Kafka bus and the
 * outbox relay, with their health checks and an orderly stop. The service adds its own parts.
 */
import { createKafkaBus, type EventBus } from '../bus/index.ts';
import { createDb, ensureDatabase, migrateEmbedded, type Db, type MigrationFiles } from '../db/index.ts';
import type { HealthCheck } from '../http/index.ts';
import { OutboxRelay, createRelayWaker } from '../outbox/index.ts';
import type { ServiceContext } from './context.ts';

/** The variables every such service reads under the same names (DESIGN § Configuration). */
export interface BackboneConfig {
  DATABASE_URL: string;
  DB_POOL_MAX: number;
  KAFKA_BROKERS: string[];
  OUTBOX_POLL_MS: number;
  /** How long published outbox rows are kept (the event log reads them); the relay's default if absent. */
  EVENT_RETENTION_MS?: number;
}

export interface BackboneOptions<S extends Record<string, unknown>> {
  /** The service's name: the relay's lock, the migration lock, the connection and client names. */
  name: string;
  config: BackboneConfig;
  migrations: MigrationFiles;
  schema: S;
}

export interface Backbone<S extends Record<string, unknown>> {
  db: Db<S>;
  bus: EventBus;
  relay: OutboxRelay;
  /** Call after a commit that wrote outbox rows. */
  wakeRelay: () => void;
  /** Postgres is critical; Kafka away only delays events (they wait in the outbox): degraded. */
  checks: Record<'postgres' | 'kafka', HealthCheck>;
  /** Stops the relay (it finishes its batch), then the bus, then the connections. */
  stop(): Promise<void>;
}

export async function startBackbone<S extends Record<string, unknown>>(ctx: ServiceContext, o: BackboneOptions<S>): Promise<Backbone<S>> {
  const { config } = o;
  const logger = ctx.logger.child({ svc: o.name });
  await ensureDatabase(config.DATABASE_URL);
  await migrateEmbedded(config.DATABASE_URL, o.migrations, `${o.name}-migrations`);
  const db = createDb(config.DATABASE_URL, o.schema, { applicationName: `syncro-${o.name}`, max: config.DB_POOL_MAX });
  const bus = createKafkaBus({ brokers: config.KAFKA_BROKERS, clientId: `syncro-${o.name}`, logger });
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
  return {
    db,
    bus,
    relay,
    wakeRelay: createRelayWaker(db.$client, relay),
    checks: {
      postgres: { critical: true, check: () => db.$client`select 1` },
      kafka: { critical: false, check: () => relay.check() },
    },
    async stop() {
      await relay.stop();
      await bus.close();
      await db.$client.end({ timeout: 5 });
    },
  };
}
