/**
 * The service credential at `POST /auth/oauth/token` (client credentials) on a real Auth Service:
 * Basic and JSON client authentication, a wrong secret and an unknown client refused alike, the
 * token's claims (service audience and scope, verifiable with the JWKS, refused by the users'
 * verifier), bad requests named, and the kit's rate limit per address and per client id. Each test
 * speaks from its own loopback address, since limits count per address.
 */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import http from 'node:http';
import { createTokenVerifier } from '@syncro/kit/auth';
import { createRemoteJWKSet, decodeJwt, jwtVerify } from 'jose';
import { startAuth, type Auth } from '@syncro/auth/harness';
import { loadAuthConfig } from '../config.ts';
import { newClientSecret, parseServiceClients } from './serviceClients.ts';

const realtime = newClientSecret();
const limited = newClientSecret();
const bystander = newClientSecret();
let auth: Auth;

beforeAll(async () => {
  auth = await startAuth({
    SERVICE_CLIENTS: `realtime:${realtime.hash},limited:${limited.hash},bystander:${bystander.hash}`,
    SERVICE_TOKEN_TTL_S: '120',
    SERVICE_TOKEN_PER_MIN_PER_CLIENT: '6',
    SERVICE_TOKEN_PER_MIN_PER_ID: '8',
  });
});
afterAll(() => auth?.stop());

interface Reply {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: any;
}

const basic = (id: string, secret: string) => `Basic ${Buffer.from(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`).toString('base64')}`;

const tokenFrom = (from: string, body: unknown, headers: Record<string, string> = {}) =>
  new Promise<Reply>((resolve, reject) => {
    const url = new URL('/auth/oauth/token', auth.url);
    const req = http.request(
      { host: url.hostname, port: url.port, path: url.pathname, method: 'POST', localAddress: from, headers: { 'content-type': 'application/json', ...headers } },
      (res) => {
        let text = '';
        res.on('data', (c) => (text += c));
        res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: text ? JSON.parse(text) : null }));
      },
    );
    req.on('error', reject);
    req.end(JSON.stringify(body));
  });

describe('POST /auth/oauth/token', () => {
  test('HTTP Basic: a service token with sub service:<id>, the service audience and scope events:read, verifiable with the JWKS', async () => {
    const res = await tokenFrom('127.0.4.1', { grant_type: 'client_credentials' }, { authorization: basic('realtime', realtime.secret) });
    expect(res.status).toBe(200);
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.body).toMatchObject({ token_type: 'Bearer', expires_in: 120, scope: 'events:read' });
    const jwks = createRemoteJWKSet(new URL(auth.trust.jwksUrl));
    const { payload, protectedHeader } = await jwtVerify(res.body.access_token, jwks, { issuer: auth.config.AUTH_ISSUER, audience: 'syncroboard-service', algorithms: ['ES256'] });
    expect(protectedHeader.alg).toBe('ES256');
    expect(payload).toMatchObject({ sub: 'service:realtime', aud: 'syncroboard-service', scope: 'events:read', client_id: 'realtime' });
    expect(payload.exp! - payload.iat!).toBe(120);
  });

  test('client_id and client_secret in a JSON body work too; the token is refused where users are expected', async () => {
    const res = await tokenFrom('127.0.4.2', { grant_type: 'client_credentials', client_id: 'realtime', client_secret: realtime.secret, scope: 'events:read' });
    expect(res.status).toBe(200);
    const userVerifier = createTokenVerifier({ jwksUrl: auth.trust.jwksUrl, issuer: auth.config.AUTH_ISSUER, audience: auth.config.AUTH_AUDIENCE });
    await expect(userVerifier(res.body.access_token)).rejects.toMatchObject({ code: 'TOKEN_INVALID' });
    // A user-facing route of auth itself says the same.
    const me = await auth.api(res.body.access_token).get('/auth/me');
    expect(me.status).toBe(401);
    expect(decodeJwt(res.body.access_token).aud).not.toBe(auth.config.AUTH_AUDIENCE);
  });

  test('a wrong secret and an unknown client get the same 401 INVALID_CLIENT', async () => {
    const wrong = await tokenFrom('127.0.4.3', { grant_type: 'client_credentials' }, { authorization: basic('realtime', limited.secret) });
    const unknown = await tokenFrom('127.0.4.3', { grant_type: 'client_credentials', client_id: 'nobody', client_secret: realtime.secret });
    for (const res of [wrong, unknown]) {
      expect(res.status).toBe(401);
      expect(res.body.error).toEqual({ code: 'INVALID_CLIENT', message: 'The client id or secret is not valid' });
    }
  });

  test('bad requests are named, 4xx, never a token', async () => {
    const from = '127.0.4.4';
    const grant = await tokenFrom(from, { grant_type: 'password', client_id: 'realtime', client_secret: realtime.secret });
    expect([grant.status, grant.body.error.code]).toEqual([400, 'UNSUPPORTED_GRANT_TYPE']);
    const both = await tokenFrom(from, { grant_type: 'client_credentials', client_id: 'realtime' }, { authorization: basic('realtime', realtime.secret) });
    expect([both.status, both.body.error.code]).toEqual([400, 'INVALID_REQUEST']);
    const none = await tokenFrom(from, { grant_type: 'client_credentials' });
    expect([none.status, none.body.error.code]).toEqual([400, 'INVALID_CLIENT']);
    const bearer = await tokenFrom(from, { grant_type: 'client_credentials' }, { authorization: 'Bearer abc' });
    expect([bearer.status, bearer.body.error.code]).toEqual([400, 'INVALID_CLIENT']);
    const scope = await tokenFrom(from, { grant_type: 'client_credentials', scope: 'tickets:write' }, { authorization: basic('realtime', realtime.secret) });
    expect([scope.status, scope.body.error.code]).toEqual([403, 'INVALID_SCOPE']);
    const extra = await tokenFrom(from, { grant_type: 'client_credentials', password: 'x' }, { authorization: basic('realtime', realtime.secret) });
    expect(extra.status).toBe(422);
  });

  test('rate limited per client address and per client id: 429 with Retry-After', async () => {
    for (let i = 0; i < 6; i++) expect((await tokenFrom('127.0.4.5', { grant_type: 'client_credentials', client_id: `nobody-${i}`, client_secret: 'guess' })).status).toBe(401);
    const over = await tokenFrom('127.0.4.5', { grant_type: 'client_credentials' }, { authorization: basic('realtime', realtime.secret) });
    expect(over.status).toBe(429);
    expect(Number(over.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect(over.body.error.code).toBe('RATE_LIMITED');

    // Guesses at one client id from many addresses are limited too; other clients are unaffected.
    for (let i = 0; i < 8; i++) expect((await tokenFrom(`127.0.5.${i + 1}`, { grant_type: 'client_credentials', client_id: 'limited', client_secret: 'guess' })).status).toBe(401);
    expect((await tokenFrom('127.0.5.9', { grant_type: 'client_credentials' }, { authorization: basic('limited', limited.secret) })).status).toBe(429);
    expect((await tokenFrom('127.0.5.9', { grant_type: 'client_credentials' }, { authorization: basic('bystander', bystander.secret) })).status).toBe(200);
  });
});

describe('SERVICE_CLIENTS', () => {
  test('entries are parsed with their scopes, and every bad one is named', () => {
    const ok = parseServiceClients(`realtime:${realtime.hash}, other:${limited.hash}:events:read`);
    expect(ok.problems).toEqual([]);
    expect([...ok.clients.values()].map((c) => [c.id, c.scopes])).toEqual([['realtime', ['events:read']], ['other', ['events:read']]]);
    const bad = parseServiceClients(`Realtime:${realtime.hash},x:abc,y:${limited.hash}:admin,x2:${limited.hash},x2:${limited.hash}`);
    expect(bad.problems.join('\n')).toMatch(/"Realtime".*lowercase[\s\S]*"x".*64 hex[\s\S]*"y".*unknown scope admin[\s\S]*"x2".*twice/);
  });

  test('the config loader refuses a bad list and a service audience equal to the users\' one', () => {
    expect(() => loadAuthConfig({ SERVICE_CLIENTS: 'realtime:nothex' })).toThrow('SERVICE_CLIENTS entry "realtime"');
    expect(() => loadAuthConfig({ SERVICE_AUDIENCE: 'syncroboard' })).toThrow('SERVICE_AUDIENCE must differ from AUTH_AUDIENCE');
    expect(loadAuthConfig({ SERVICE_CLIENTS: `realtime:${realtime.hash}` }).serviceClients.get('realtime')?.scopes).toEqual(['events:read']);
  });
});
