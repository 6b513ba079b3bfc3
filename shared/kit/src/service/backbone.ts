/**
 * @module What every service with a database and events starts the same way: its database
 * (created and migrated under the advisory lock), a Drizzle connection, the Kafka bus and the
 * outbox relay, with their health checks and an orderly stop. The service adds its own parts.
 */
import { createKafkaBus, type EventBus } from '../bus/index.ts';
import { createDb, ensureDatabase, migrateEmbedded, type Db, type MigrationFiles } from '../db/index.ts';
import type { HealthCheck } from '../http/index.ts';
import { OutboxRelay, createRelayWaker } from '../outbox/index.ts';
import type { ServiceContext } from './index.ts';

export interface BackboneOptions<S extends Record<string, unknown>> {
  /** The service's name: the relay's lock, the migration lock, the connection and client names. */
  name: string;
  databaseUrl: string;
  migrations: MigrationFiles;
  schema: S;
  poolMax: number;
  brokers: string[];
  outboxPollMs: number;
  /** How long published outbox rows are kept (the event log reads them). */
  retentionMs?: number;
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
  const logger = ctx.logger.child({ svc: o.name });
  await ensureDatabase(o.databaseUrl);
  await migrateEmbedded(o.databaseUrl, o.migrations, `${o.name}-migrations`);
  const db = createDb(o.databaseUrl, o.schema, { applicationName: `syncro-${o.name}`, max: o.poolMax });
  const bus = createKafkaBus({ brokers: o.brokers, clientId: `syncro-${o.name}`, logger });
  const relay = new OutboxRelay({
    sql: db.$client,
    bus,
    logger,
    name: o.name,
    pollMs: o.outboxPollMs,
    ...(o.retentionMs !== undefined ? { retentionMs: o.retentionMs } : {}),
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
