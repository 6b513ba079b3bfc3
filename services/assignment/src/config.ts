/** @module The Assignment Service's environment, validated once at start-up. */
import { consumerEnv } from '@syncro/kit/bus';
import { env, loadConfig } from '@syncro/kit/config';
import { logRetentionEnv } from '@syncro/kit/retention';
import * as v from 'valibot';

export const AssignmentConfig = v.object({
  DATABASE_URL: env.url('postgres://postgres@127.0.0.1:5432/syncro_assign_db'),
  KAFKA_BROKERS: env.list('127.0.0.1:9092'),
  /** KAFKA_GROUP_ID, KAFKA_OFFSET_RESET, CONSUMER_MAX_ATTEMPTS, CONSUMER_MAX_BACKOFF_MS of the projection and assignment consumer. */
  ...consumerEnv('assignment'),
  /** How long the inbox and delivery logs keep a row (ms; 60 days, at least 31: longer than dead letters). */
  ...logRetentionEnv(),
  JWKS_URL: env.url('http://127.0.0.1:3001/.well-known/jwks.json'),
  AUTH_ISSUER: env.string('http://127.0.0.1:3001'),
  AUTH_AUDIENCE: env.string('syncroboard'),
  PORT: env.port(3003),
  /** Postgres connections of this process (the relay keeps one for its leader lock). */
  DB_POOL_MAX: env.number(10),
  /** How long published `ticket.assigned` rows stay in the outbox (ms; 7 days). */
  EVENT_RETENTION_MS: env.number(7 * 86_400_000),
  /** Polling fallback of the relay when no NOTIFY arrives (ms). */
  OUTBOX_POLL_MS: env.number(1000),
});

export type AssignmentConfig = v.InferOutput<typeof AssignmentConfig>;

export const loadAssignmentConfig = (source: Record<string, string | undefined> = process.env) => loadConfig(AssignmentConfig, source);
