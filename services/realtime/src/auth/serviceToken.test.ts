/**
 * The hub's service credential against a real Auth Service: fetched once and shared by concurrent
 * callers, fetched again before it expires, a refused secret reported as Unavailable (never cached),
 * and the hub's configuration (both variables or neither).
 */
import { afterAll, beforeAll, expect, test } from 'bun:test';
import { newClientSecret } from '@syncro/auth';
import { startAuth, type Auth } from '@syncro/auth/harness';
import { decodeJwt } from 'jose';
import { loadRealtimeConfig } from '../config.ts';
import { createServiceTokenProvider } from './serviceToken.ts';

const client = newClientSecret();
let auth: Auth;
beforeAll(async () => {
  // 12 s tokens: refetched 10 s before expiry, i.e. after 2 s.
  auth = await startAuth({ SERVICE_CLIENTS: `realtime:${client.hash}`, SERVICE_TOKEN_TTL_S: '12' });
});
afterAll(() => auth?.stop());

test('one fetch for concurrent callers, cached, and refetched before it expires', async () => {
  const token = createServiceTokenProvider({ authUrl: auth.url, clientId: 'realtime', clientSecret: client.secret });
  const [a, b, c] = await Promise.all([token(), token(), token()]);
  expect(new Set([a, b, c]).size).toBe(1);
  expect(token.fetched).toBe(1);
  expect(decodeJwt(a!)).toMatchObject({ sub: 'service:realtime', aud: 'syncroboard-service', scope: 'events:read' });
  expect(await token()).toBe(a!);
  await Bun.sleep(2100);
  const fresh = await token();
  expect(token.fetched).toBe(2);
  expect(fresh).not.toBe(a!);
  expect(decodeJwt(fresh).exp!).toBeGreaterThan(decodeJwt(a!).exp!);
});

test('a wrong secret is Unavailable with auth\'s reason, and the next call asks again', async () => {
  const token = createServiceTokenProvider({ authUrl: auth.url, clientId: 'realtime', clientSecret: 'sbs_wrong' });
  await expect(token()).rejects.toThrow(/refused the service credential for realtime: 401 INVALID_CLIENT/);
  await expect(token()).rejects.toThrow(/INVALID_CLIENT/);
  expect(token.fetched).toBe(0);
  const away = createServiceTokenProvider({ authUrl: 'http://127.0.0.1:9', clientId: 'realtime', clientSecret: client.secret, timeoutMs: 500 });
  await expect(away()).rejects.toMatchObject({ code: 'UNAVAILABLE' });
});

test('SERVICE_CLIENT_ID and SERVICE_CLIENT_SECRET are set together', () => {
  expect(() => loadRealtimeConfig({ SERVICE_CLIENT_ID: 'realtime' })).toThrow('SERVICE_CLIENT_ID and SERVICE_CLIENT_SECRET must be set together');
  expect(loadRealtimeConfig({ SERVICE_CLIENT_ID: 'realtime', SERVICE_CLIENT_SECRET: 's' }).AUTH_URL).toBe('http://127.0.0.1:3001');
  // Compose passes unset variables as empty strings: unset, not a half-configured client.
  expect(loadRealtimeConfig({ SERVICE_CLIENT_ID: '', SERVICE_CLIENT_SECRET: '' }).SERVICE_CLIENT_ID).toBeUndefined();
});
