/** @module The Auth Service's environment, validated once at start-up; every bad variable is named. */
import { ConfigError, env, loadConfig } from '@syncro/kit/config';
import * as v from 'valibot';
import { parseServiceClients, type ServiceClient } from './clients/serviceClients.ts';

const flag = v.optional(v.picklist(['0', '1', 'true', 'false'], 'must be 1 or 0'), '0');
const optionalText = v.optional(v.pipe(v.string(), v.minLength(1)));

export const AuthConfig = v.object({
  DATABASE_URL: env.url('postgres://postgres@127.0.0.1:5432/syncro_auth_db'),
  KAFKA_BROKERS: env.list('127.0.0.1:9092'),
  PORT: env.port(3001),
  NODE_ENV: v.optional(v.string(), 'development'),
  /** Where browsers reach this service: callback URLs are built from it, and cookies are Secure unless it is localhost. */
  PUBLIC_URL: env.url('http://127.0.0.1:3001'),
  /** Where the browser goes after login (the board). A `?redirect=/path` on /login is appended when it is a relative path. */
  APP_URL: env.url('http://127.0.0.1:3000/'),
  /** `iss` of every access token; other services trust exactly this. Defaults to PUBLIC_URL. */
  AUTH_ISSUER: optionalText,
  AUTH_AUDIENCE: env.string('syncroboard'),
  ACCESS_TOKEN_TTL_S: env.number(15 * 60),
  REFRESH_TOKEN_TTL_S: env.number(30 * 86_400),
  /** The current ES256 private key as a JWK (JSON, with `kid`), or a file holding it. */
  SIGNING_KEY: optionalText,
  SIGNING_KEY_FILE: optionalText,
  /** Earlier keys still published in the JWKS during a rotation: JSON array (or JWKS) of JWKs. */
  PREVIOUS_SIGNING_KEYS: optionalText,
  /** Development only: where a generated key is persisted when no SIGNING_KEY is set. */
  AUTH_KEY_DIR: optionalText,

  GOOGLE_CLIENT_ID: optionalText,
  GOOGLE_CLIENT_SECRET: optionalText,
  /** Google's endpoints; overridable so tests (and proxies) can serve them locally. */
  GOOGLE_AUTHORIZATION_URL: env.url('https://accounts.google.com/o/oauth2/v2/auth'),
  GOOGLE_TOKEN_URL: env.url('https://oauth2.googleapis.com/token'),
  GOOGLE_JWKS_URL: env.url('https://www.googleapis.com/oauth2/v3/certs'),
  GOOGLE_ISSUER: env.string('https://accounts.google.com'),

  OIDC_ISSUER: v.optional(v.pipe(v.string(), v.url())),
  OIDC_CLIENT_ID: optionalText,
  OIDC_CLIENT_SECRET: optionalText,
  /** The label on the login button, e.g. "Keycloak". */
  OIDC_NAME: env.string('Single sign-on'),
  OIDC_SCOPES: env.string('openid email profile'),

  AUTH_DEV_LOGIN: flag,
  /**
   * Who may sign in, by email domain (`example.com,example.org`); empty: anyone the providers
   * vouch for. A self-hosted board with Google login enabled is otherwise open to every Google account.
   */
  AUTH_ALLOWED_EMAIL_DOMAINS: v.optional(
    v.pipe(
      v.string(),
      v.transform((s) => s.split(',').map((d) => d.trim().toLowerCase().replace(/^@/, '')).filter(Boolean)),
      v.array(v.pipe(v.string(), v.regex(/^[a-z0-9.-]+\.[a-z]{2,}$/, 'each must be a domain like example.com'))),
    ),
    '',
  ),
  /**
   * Origins (`https://board.example.com`) besides this service's own and APP_URL's whose writes
   * authenticated by the session cookie are accepted (CSRF); comma-separated.
   */
  ALLOWED_ORIGINS: v.optional(
    v.pipe(
      v.string(),
      v.transform((s) => s.split(',').map((o) => o.trim()).filter(Boolean)),
      v.array(v.pipe(v.string(), v.url('each must be an origin like https://board.example.com'), v.transform((o) => new URL(o).origin))),
    ),
    '',
  ),
  /** 1: one proxy of ours sits in front, so the last `X-Forwarded-For` entry is the client (rate limits). Otherwise the socket's address. */
  TRUST_PROXY: flag,
  /** `POST /auth/token` attempts per minute, per client address and per token prefix (per process: see the kit's ratelimit). */
  TOKEN_EXCHANGE_PER_MIN_PER_CLIENT: env.number(60),
  TOKEN_EXCHANGE_PER_MIN_PER_PREFIX: env.number(10),
  /** `POST /auth/dev/login` per minute per client address. */
  DEV_LOGIN_PER_MIN_PER_CLIENT: env.number(120),
  /**
   * Services that may obtain a service credential at `POST /auth/oauth/token` (OAuth2 client
   * credentials): comma-separated `id:sha256hex-of-secret[:scope+scope]` (default scope
   * `events:read`). Generate with `bun services/auth/src/clients/clients.cli.ts new <id>`.
   */
  SERVICE_CLIENTS: v.optional(v.string(), ''),
  /** `aud` of service credentials: never the users' AUTH_AUDIENCE, so no user-facing route accepts one. */
  SERVICE_AUDIENCE: env.string('syncroboard-service'),
  SERVICE_TOKEN_TTL_S: env.number(600),
  /** `POST /auth/oauth/token` attempts per minute, per client address and per client id. */
  SERVICE_TOKEN_PER_MIN_PER_CLIENT: env.number(30),
  SERVICE_TOKEN_PER_MIN_PER_ID: env.number(20),
  DB_POOL_MAX: env.number(5),
  OUTBOX_POLL_MS: env.number(1000),
});

export type AuthConfig = v.InferOutput<typeof AuthConfig> & {
  AUTH_ISSUER: string;
  devLogin: boolean;
  trustProxy: boolean;
  serviceClients: Map<string, ServiceClient>;
};

const on = (x: string) => x === '1' || x === 'true';

export function loadAuthConfig(source: Record<string, string | undefined> = process.env): AuthConfig {
  const config = loadConfig(AuthConfig, source);
  const problems: string[] = [];
  const pair = (a: keyof typeof config, b: keyof typeof config) => {
    if (Boolean(config[a]) !== Boolean(config[b])) problems.push(`${String(a)} and ${String(b)} must be set together`);
  };
  pair('GOOGLE_CLIENT_ID', 'GOOGLE_CLIENT_SECRET');
  if (config.OIDC_ISSUER && !config.OIDC_CLIENT_ID) problems.push('OIDC_ISSUER needs OIDC_CLIENT_ID (and usually OIDC_CLIENT_SECRET)');
  if (!config.OIDC_ISSUER && config.OIDC_CLIENT_ID) problems.push('OIDC_CLIENT_ID is set but OIDC_ISSUER is missing');
  const devLogin = on(config.AUTH_DEV_LOGIN);
  const production = config.NODE_ENV === 'production';
  // A password-less login must never reach production, whatever else the environment says.
  if (devLogin && production) problems.push('AUTH_DEV_LOGIN=1 is refused when NODE_ENV=production');
  if (production && !config.SIGNING_KEY && !config.SIGNING_KEY_FILE) {
    problems.push('SIGNING_KEY (or SIGNING_KEY_FILE) is required when NODE_ENV=production');
  }
  const services = parseServiceClients(config.SERVICE_CLIENTS);
  problems.push(...services.problems);
  if (config.SERVICE_AUDIENCE === config.AUTH_AUDIENCE) problems.push('SERVICE_AUDIENCE must differ from AUTH_AUDIENCE (user routes would accept service credentials)');
  if (problems.length) throw new ConfigError(problems);
  return {
    ...config,
    AUTH_ISSUER: config.AUTH_ISSUER ?? config.PUBLIC_URL.replace(/\/$/, ''),
    devLogin,
    trustProxy: on(config.TRUST_PROXY),
    serviceClients: services.clients,
  };
}
