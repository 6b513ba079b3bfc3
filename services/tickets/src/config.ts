/** @module The Ticket Service's environment, validated once at start-up. */
import { consumerEnv } from '@syncro/kit/bus';
import { env, loadConfig } from '@syncro/kit/config';
import { logRetentionEnv } from '@syncro/kit/retention';
import * as v from 'valibot';

export const TicketConfig = v.object({
  DATABASE_URL: env.url('postgres://postgres@127.0.0.1:5432/syncro_ticket_db'),
  KAFKA_BROKERS: env.list('127.0.0.1:9092'),
  REDIS_URL: env.url('redis://127.0.0.1:6379'),
  /** `redis` (Bun RedisClient), `upstash` (REST, edge) or `off` (always Postgres). */
  BOARD_CACHE: v.optional(v.picklist(['redis', 'upstash', 'off']), 'redis'),
  UPSTASH_REDIS_REST_URL: v.optional(v.pipe(v.string(), v.url())),
  UPSTASH_REDIS_REST_TOKEN: v.optional(v.string()),
  JWKS_URL: env.url('http://127.0.0.1:3001/.well-known/jwks.json'),
  AUTH_ISSUER: env.string('http://127.0.0.1:3001'),
  AUTH_AUDIENCE: env.string('syncroboard'),
  /** `aud` of service credentials (the realtime hub's), accepted by the event log only. */
  SERVICE_AUDIENCE: env.string('syncroboard-service'),
  PORT: env.port(3002),
  /** Postgres connections of this process (the relay keeps one for its leader lock). */
  DB_POOL_MAX: env.number(10),
  /** How long published events stay in the outbox for `/projects/:id/events` (ms; 7 days). */
  EVENT_RETENTION_MS: env.number(7 * 86_400_000),
  /** KAFKA_GROUP_ID, KAFKA_OFFSET_RESET, CONSUMER_MAX_ATTEMPTS, CONSUMER_MAX_BACKOFF_MS of the `ticket.assigned` consumer. */
  ...consumerEnv('tickets'),
  /** How long the inbox and delivery logs keep a row (ms; 60 days, at least 31: longer than dead letters). */
  ...logRetentionEnv(),
  /** Polling fallback of the relay when no NOTIFY arrives (ms). */
  OUTBOX_POLL_MS: env.number(1000),
  /** Base of the URLs shown for inbound integrations (`<PUBLIC_URL>/hooks/<id>`); default: the request's origin. */
  PUBLIC_URL: v.optional(v.pipe(v.string(), v.url())),
  /** Deliveries per minute one integration may post (per process), then 429 with Retry-After. */
  HOOKS_RATE_LIMIT: env.number(600),
  /** `1`: outbound webhooks may target loopback/private/link-local addresses (tests, local setups). */
  WEBHOOKS_ALLOW_PRIVATE: v.optional(v.picklist(['0', '1']), '0'),
  /**
   * Outbound sender: polling fallback (ms), first retry delay (ms, doubling), the longest delay (ms),
   * attempts before the endpoint is disabled (14: about 26 h), request timeout (ms), parallel lanes.
   */
  WEBHOOKS_POLL_MS: env.number(1000),
  WEBHOOKS_BASE_BACKOFF_MS: env.number(30_000),
  WEBHOOKS_MAX_BACKOFF_MS: env.number(6 * 3_600_000),
  WEBHOOKS_MAX_ATTEMPTS: env.number(14),
  WEBHOOKS_TIMEOUT_MS: env.number(10_000),
  WEBHOOKS_SENDER_LANES: env.number(4),
});

export type TicketConfig = v.InferOutput<typeof TicketConfig>;

export const loadTicketConfig = (source: Record<string, string | undefined> = process.env) => {
  const config = loadConfig(TicketConfig, source);
  if (config.BOARD_CACHE === 'upstash' && !(config.UPSTASH_REDIS_REST_URL && config.UPSTASH_REDIS_REST_TOKEN)) {
    throw new Error('Invalid configuration:\n  - BOARD_CACHE=upstash needs UPSTASH_REDIS_REST_URL and UPSTASH_REDIS_REST_TOKEN');
  }
  return config;
};
