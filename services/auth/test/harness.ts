/**
 * @module Starts a real Auth Service for a test file (its own database and key directory, the real
 * broker), a local OIDC provider (`oauth2-mock-server`), and a browser-like client with a cookie jar.
 */
import { afterAll, beforeAll } from 'bun:test';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { serve, serviceContext } from '@syncro/kit/service';
import { client, createTestDatabase } from '@syncro/testing';
import { freePort } from '@syncro/testing/ports';
import { OAuth2Server } from 'oauth2-mock-server';
import { startTickets } from '@syncro/tickets/harness';
import { loadAuthConfig } from '../src/config.ts';
import { start } from '../src/index.ts';

export const BROKERS = (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(',');
export const APP_URL = 'http://127.0.0.1:5173/app/';

export interface AuthHarnessOptions {
  /** Reuse a key directory (it is then kept on stop): restarts and key rotation. */
  keyDir?: string;
  /** Reuse a port, so the issuer and the JWKS URL stay the same across a restart. */
  port?: number;
}

export async function startAuth(env: Record<string, string> = {}, opts: AuthHarnessOptions = {}) {
  const database = await createTestDatabase('auth_test');
  const keyDir = opts.keyDir ?? mkdtempSync(join(tmpdir(), 'syncro-auth-keys-'));
  const port = opts.port ?? freePort();
  const publicUrl = `http://127.0.0.1:${port}`;
  const config = loadAuthConfig({
    DATABASE_URL: database.url,
    KAFKA_BROKERS: BROKERS.join(','),
    PUBLIC_URL: publicUrl,
    APP_URL,
    AUTH_KEY_DIR: keyDir,
    OUTBOX_POLL_MS: '200',
    ...env,
  });
  const ctx = serviceContext('auth-test');
  const service = await start(ctx, { config });
  const served = serve('auth', port, [service], ctx);
  return {
    url: served.url,
    service,
    config,
    keyDir,
    port,
    api: (token?: string) => client(served.url, token),
    /** Signs in through the development login (AUTH_DEV_LOGIN=1) and returns the session. */
    async devLogin(email = `dev.${crypto.randomUUID().slice(0, 8)}@example.test`, name = 'Dev') {
      const res = await client(served.url).post('/auth/dev/login', { email, name });
      if (res.status !== 200) throw new Error(`dev login failed: ${res.status} ${JSON.stringify(res.body)}`);
      return res.body as { user: { id: string; email: string; name: string }; accessToken: string; refreshToken: string; expiresIn: number };
    },
    trust: { jwksUrl: `${served.url}/.well-known/jwks.json`, issuer: config.AUTH_ISSUER, audience: config.AUTH_AUDIENCE },
    async stop() {
      await served.stop();
      await database.drop();
      if (!opts.keyDir) rmSync(keyDir, { recursive: true, force: true });
    },
  };
}

export type Auth = Awaited<ReturnType<typeof startAuth>>;
type AuthWithTickets = Awaited<ReturnType<typeof startAuthWithTickets>>;

/** For a test file: both started before its tests and stopped after; read them inside tests. */
export function useAuthWithTickets(env: Record<string, string> = {}): AuthWithTickets {
  const running = {} as AuthWithTickets;
  beforeAll(async () => {
    Object.assign(running, await startAuthWithTickets(env));
  }, 60_000);
  afterAll(() => running.stop?.());
  return running;
}

/** An Auth Service and a Ticket Service that trusts it through its JWKS URL, as in production. */
export async function startAuthWithTickets(env: Record<string, string> = {}) {
  const auth = await startAuth(env);
  const tickets = await startTickets({ trust: auth.trust });
  return {
    auth,
    tickets,
    async stop() {
      await tickets.stop();
      await auth.stop();
    },
  };
}

/** Who the local provider says is logging in; tests change it per login. */
export interface MockPerson {
  sub: string;
  email: string;
  name: string;
  email_verified?: boolean;
  locale?: string;
}

/**
 * A real OIDC provider on loopback: discovery, JWKS, /authorize (redirects straight back with a
 * code, as if the person consented) and /token (checks the PKCE verifier, signs an RS256 ID token).
 */
export async function startMockProvider() {
  const server = new OAuth2Server();
  await server.issuer.keys.generate('RS256');
  await server.start(freePort(), '127.0.0.1');
  let person: MockPerson = { sub: 'nobody', email: 'nobody@example.test', name: 'Nobody', email_verified: true };
  // The ID token is the one without `scope` (the access token carries it); give it the person's claims.
  server.service.on('beforeTokenSigning', (token: { payload: Record<string, unknown> }) => {
    if (!('scope' in token.payload)) Object.assign(token.payload, { email_verified: true, ...person });
  });
  return {
    server,
    issuer: server.issuer.url!,
    as(p: MockPerson) {
      person = p;
    },
    /** Changes the next ID token's claims (wrong audience, expired, …) after the defaults are applied. */
    tamperNextIdToken(edit: (payload: Record<string, unknown>) => void) {
      const hook = (token: { payload: Record<string, unknown> }) => {
        if ('scope' in token.payload) return;
        edit(token.payload);
        server.service.off('beforeTokenSigning', hook);
      };
      server.service.on('beforeTokenSigning', hook);
    },
    /** Replaces the next token response's ID token outright (forged, alg:none). */
    replaceNextIdToken(idToken: string) {
      server.service.once('beforeResponse', (response: { body: Record<string, unknown> }) => {
        response.body.id_token = idToken;
      });
    },
    stop: () => server.stop(),
  };
}

export type MockProvider = Awaited<ReturnType<typeof startMockProvider>>;

/** A browser: follows nothing by itself (each hop is asserted), keeps cookies per name. */
export function browser() {
  const jar = new Map<string, string>();
  const cookieHeader = () => [...jar].map(([k, v]) => `${k}=${v}`).join('; ');
  return {
    jar,
    async go(url: string, init: RequestInit = {}) {
      const headers = new Headers(init.headers);
      if (jar.size) headers.set('cookie', cookieHeader());
      const res = await fetch(url, { ...init, headers, redirect: 'manual' });
      for (const line of res.headers.getSetCookie()) {
        const [pair, ...attrs] = line.split(';');
        const eq = pair!.indexOf('=');
        const name = pair!.slice(0, eq).trim();
        const value = pair!.slice(eq + 1).trim();
        if (attrs.some((a) => a.trim().toLowerCase() === 'max-age=0') || value === '') jar.delete(name);
        else jar.set(name, value);
      }
      return res;
    },
  };
}

export type Browser = ReturnType<typeof browser>;

/** The whole login round trip: our /login → provider /authorize → our callback. Returns each hop. */
export async function loginThroughProvider(auth: Auth, b: Browser, provider = 'oidc', redirect = '/board/SYNC') {
  const login = await b.go(`${auth.url}/auth/${provider}/login?redirect=${encodeURIComponent(redirect)}`);
  const authorize = new URL(login.headers.get('location')!);
  const consent = await fetch(authorize, { redirect: 'manual' });
  const callback = new URL(consent.headers.get('location')!);
  const done = await b.go(callback.toString());
  return { login, authorize, callback, done };
}
