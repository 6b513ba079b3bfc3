/** @module The realtime hub's environment, validated once at start-up. */
import { consumerEnv } from '@syncro/kit/bus';
import { ConfigError, env, loadConfig } from '@syncro/kit/config';
import * as v from 'valibot';

/** Empty counts as unset (compose passes `${VAR:-}` through as ""). */
const optionalText = v.optional(v.pipe(v.string(), v.trim(), v.transform((s) => s || undefined)));

export const RealtimeConfig = v.object({
  KAFKA_BROKERS: env.list('127.0.0.1:9092'),
  /** KAFKA_GROUP_ID (default `realtime-bridge`), KAFKA_OFFSET_RESET, … of the bridge consumer. */
  ...consumerEnv('realtime-bridge'),
  REDIS_URL: env.url('redis://127.0.0.1:6379'),
  /** The Ticket Service: membership checks and its event log (resume, hole filling). */
  TICKETS_URL: env.url('http://127.0.0.1:3002'),
  /** Calls to the Ticket Service in flight at once (membership checks of a reconnect storm queue behind them). */
  TICKETS_MAX_CONCURRENCY: env.number(64),
  JWKS_URL: env.url('http://127.0.0.1:3001/.well-known/jwks.json'),
  AUTH_ISSUER: env.string('http://127.0.0.1:3001'),
  AUTH_AUDIENCE: env.string('syncroboard'),
  /** The Auth Service, where the hub obtains its service credential (client credentials). */
  AUTH_URL: env.url('http://127.0.0.1:3001'),
  /**
   * The hub's service client (`bun services/auth/src/clients/clients.cli.ts new realtime`): rooms
   * read the Ticket Service's event log with it. Unset: with a member's own token (a warning says so).
   */
  SERVICE_CLIENT_ID: optionalText,
  SERVICE_CLIENT_SECRET: optionalText,
  /** Origins besides the hub's own that may open sockets with the session cookie (comma-separated). */
  WS_ALLOWED_ORIGINS: v.optional(v.pipe(v.string(), v.transform((s) => s.split(',').map((x) => x.trim()).filter(Boolean))), ''),
  PORT: env.port(3005),
  /** `1` runs the Kafka → Redis bridge in this process (one group across instances); `0` serves sockets only. */
  BRIDGE: v.optional(v.picklist(['0', '1']), '1'),
  /**
   * `1`: the bridge also consumes `notification.created` and PUBLISHes it on `user:{userId}` (the
   * topic must exist: redpanda/topics.conf). `0`: the Notification Service publishes there itself.
   */
  BRIDGE_NOTIFICATIONS: v.optional(v.picklist(['0', '1']), '1'),
  /** Events kept per project in Redis (the hot window in front of the Ticket Service's log). */
  HOT_WINDOW_EVENTS: env.number(1000),
  /** How long an idle project's hot window is kept (seconds). */
  HOT_WINDOW_TTL_S: env.number(86_400),
  /**
   * How often an instance re-writes who is on its boards (ms). Entries live three times this, so
   * the users of an instance that died disappear within that (45 s by default).
   */
  PRESENCE_HEARTBEAT_MS: env.number(15_000),
  /** A socket with more than this waiting to be written (bytes) is closed with 1013; its client resumes. */
  WS_BACKPRESSURE_LIMIT_BYTES: env.number(1024 * 1024),
  /** How often rooms compare their position with the hot window, to catch a deaf subscription (ms). */
  LIVENESS_CHECK_MS: env.number(5000),
  /** How long a room waits for a missing version to arrive by itself before reading history (ms). */
  HOLE_GRACE_MS: env.number(50),
});

export type RealtimeConfig = v.InferOutput<typeof RealtimeConfig>;

export function loadRealtimeConfig(source: Record<string, string | undefined> = process.env): RealtimeConfig {
  const config = loadConfig(RealtimeConfig, source);
  if (Boolean(config.SERVICE_CLIENT_ID) !== Boolean(config.SERVICE_CLIENT_SECRET)) throw new ConfigError(['SERVICE_CLIENT_ID and SERVICE_CLIENT_SECRET must be set together']);
  return config;
}
