/** @module The Notification Service's environment, validated once at start-up. */
import { consumerEnv } from '@syncro/kit/bus';
import { env, loadConfig } from '@syncro/kit/config';
import { logRetentionEnv } from '@syncro/kit/retention';
import * as v from 'valibot';

const smtpUrl = v.optional(
  v.pipe(v.string(), v.url(), v.check((s) => /^smtps?:$/.test(new URL(s).protocol), 'must be an smtp:// or smtps:// URL')),
  'smtp://127.0.0.1:2525',
);

export const NotifyConfig = v.object({
  DATABASE_URL: env.url('postgres://postgres@127.0.0.1:5432/syncro_notify_db'),
  KAFKA_BROKERS: env.list('127.0.0.1:9092'),
  /** KAFKA_GROUP_ID, KAFKA_OFFSET_RESET, CONSUMER_MAX_ATTEMPTS, CONSUMER_MAX_BACKOFF_MS of the event consumer. */
  ...consumerEnv('notifications'),
  /** How long the inbox and delivery logs keep a row (ms; 60 days, at least 31: longer than dead letters). */
  ...logRetentionEnv(),
  REDIS_URL: env.url('redis://127.0.0.1:6379'),
  JWKS_URL: env.url('http://127.0.0.1:3001/.well-known/jwks.json'),
  AUTH_ISSUER: env.string('http://127.0.0.1:3001'),
  AUTH_AUDIENCE: env.string('syncroboard'),
  PORT: env.port(3004),
  DB_POOL_MAX: env.number(10),
  EVENT_RETENTION_MS: env.number(7 * 86_400_000),
  OUTBOX_POLL_MS: env.number(1000),
  /** The board: links in messages point to `${APP_URL}/tickets/SYNC-12`. */
  APP_URL: env.url('http://127.0.0.1:3000'),
  /** Where this service is reached from outside (the unsubscribe links). */
  PUBLIC_URL: env.url('http://127.0.0.1:3004'),
  /** `smtp://user:pass@host:587`; the default is the development sink (`bun run mail-sink`). */
  SMTP_URL: smtpUrl,
  SMTP_FROM: env.string('SyncroBoard <no-reply@syncroboard.local>'),
  SMTP_POOL_SIZE: env.number(5),
  /** Signs unsubscribe links (HMAC-SHA256). Set one per deployment; the default is for development only. */
  UNSUBSCRIBE_SECRET: v.optional(v.pipe(v.string(), v.minLength(16, 'must be at least 16 characters')), 'development-only-unsubscribe-secret'),
  /** VAPID key pair (`bunx web-push generate-vapid-keys`) and contact; Web Push is off without them. */
  VAPID_PUBLIC_KEY: v.optional(v.string()),
  VAPID_PRIVATE_KEY: v.optional(v.string()),
  VAPID_SUBJECT: env.string('mailto:admin@syncroboard.local'),
  /** How long an event waits for its actor's user.created before the message says "Someone" (ms). */
  ACTOR_WAIT_MS: env.number(30_000),
  /** An event still missing its ticket or recipient after this long is dropped with a warning (ms; 7 days, the topics' retention). */
  WAITING_MAX_AGE_MS: env.number(7 * 86_400_000),
  /** Fan-out workers (event → recipients → delivery rows) running at once, and their polling fallback. */
  FANOUT_CONCURRENCY: env.number(4),
  FANOUT_POLL_MS: env.number(1000),
  /** Events a fan-out worker handles per transaction. */
  FANOUT_BATCH: env.number(10),
  /** Sender loop: polling fallback, batch size, transient-failure attempts and the backoff cap. */
  SENDER_POLL_MS: env.number(1000),
  SENDER_BATCH: env.number(20),
  SENDER_LANES: env.number(2),
  DELIVERY_MAX_ATTEMPTS: env.number(12),
  DELIVERY_MAX_BACKOFF_MS: env.number(60_000),
});

export type NotifyConfig = v.InferOutput<typeof NotifyConfig>;

export const loadNotifyConfig = (source: Record<string, string | undefined> = process.env) => loadConfig(NotifyConfig, source);
