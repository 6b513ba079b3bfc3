/** @module The Assignment Service's environment, validated once at start-up. */
import { env, loadConfig } from '@syncro/kit/config';
import * as v from 'valibot';

export const AssignmentConfig = v.object({
  DATABASE_URL: env.url('postgres://postgres@127.0.0.1:5432/syncro_assign_db'),
  KAFKA_BROKERS: env.list('127.0.0.1:9092'),
  /** Kafka consumer group of the projection and assignment consumer. */
  KAFKA_GROUP_ID: env.string('assignment'),
  /**
   * Where a consumer group with no committed offset starts: `earliest` (a fresh deployment builds
   * from the retained history) or `latest` (only what is published from start-up on).
   */
  KAFKA_OFFSET_RESET: v.optional(v.picklist(['earliest', 'latest']), 'earliest'),
  /**
   * A message whose handling fails (its database down or locked) is tried this many times, with
   * exponential backoff from 100 ms up to CONSUMER_MAX_BACKOFF_MS, then goes to `<topic>.dlq`.
   * The partition waits meanwhile (per-project order), so the window is kept to seconds.
   */
  CONSUMER_MAX_ATTEMPTS: v.optional(v.pipe(v.string(), v.transform(Number), v.integer('must be a whole number'), v.minValue(1)), '5'),
  CONSUMER_MAX_BACKOFF_MS: env.number(3000),
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
