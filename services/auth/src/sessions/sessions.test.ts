/**
 * Sessions on a real Auth Service: the development login, refresh rotation (body and cookie),
 * reuse detection revoking the family, logout, and the access token's claims and refusals, checked
 * both by auth itself and by a Ticket Service that only knows the JWKS URL.
 */
import { beforeAll, describe, expect, test } from 'bun:test';
import { ACCESS_COOKIE } from '@syncro/kit/auth';
import { client } from '@syncro/testing';
import { SignJWT, base64url, decodeJwt, decodeProtectedHeader, generateKeyPair, importJWK } from 'jose';
import { loadKeys } from '../keys/keyRing.ts';
import type { Tickets } from '@syncro/tickets/harness';
import { browser, useAuthWithTickets, type Auth } from '@syncro/auth/harness';
import { REFRESH_COOKIE } from './cookies.ts';

const running = useAuthWithTickets({ AUTH_DEV_LOGIN: '1' });
let auth: Auth;
let tickets: Tickets;
beforeAll(() => {
  ({ auth, tickets } = running);
});

describe('development login', () => {
  test('signs in, returns both tokens and sets HttpOnly cookies; the access token has the documented claims', async () => {
    const b = browser();
    const res = await b.go(`${auth.url}/auth/dev/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: 'Lin@Example.test', name: 'Lin' }) });
    expect(res.status).toBe(200);
    const body = (await res.json()) as any;
    expect(body.user).toMatchObject({ email: 'lin@example.test', name: 'Lin', locale: 'en' });
    expect(body).toMatchObject({ tokenType: 'Bearer', expiresIn: 900, created: true });
    for (const line of res.headers.getSetCookie()) expect(line).toContain('HttpOnly');
    expect(res.headers.getSetCookie().find((c) => c.startsWith(`${REFRESH_COOKIE}=`))).toContain('Path=/auth');
    // http://127.0.0.1 is local: no Secure flag, or the browser would drop the cookie.
    expect(res.headers.getSetCookie().join()).not.toContain('Secure');

    const header = decodeProtectedHeader(body.accessToken);
    expect(header).toMatchObject({ alg: 'ES256', kid: auth.service.keys.currentKid });
    const claims = decodeJwt(body.accessToken);
    expect(claims).toMatchObject({ sub: body.user.id, email: 'lin@example.test', name: 'Lin', iss: auth.config.AUTH_ISSUER, aud: 'syncroboard' });
    expect(claims.exp! - claims.iat!).toBe(15 * 60);

    const jwks = await auth.api().get('/.well-known/jwks.json');
    expect(jwks.body.keys.map((k: { kid: string }) => k.kid)).toEqual([header.kid]);
    expect(jwks.body.keys[0]).not.toHaveProperty('d');
  });

  test('bad input is a 4xx naming the field', async () => {
    const res = await auth.api().post('/auth/dev/login', { email: 'not-an-email' });
    expect(res.status).toBe(422);
    expect(res.body.error.message).toContain('email');
  });
});

describe('refresh tokens', () => {
  test('every refresh rotates; the new pair works and the Ticket Service accepts the new access token', async () => {
    const s = await auth.devLogin();
    const r1 = await auth.api().post('/auth/refresh', { refreshToken: s.refreshToken });
    expect(r1.status).toBe(200);
    expect(r1.body.refreshToken).toStartWith('sbr_');
    expect(r1.body.refreshToken).not.toBe(s.refreshToken);
    const r2 = await auth.api().post('/auth/refresh', { refreshToken: r1.body.refreshToken });
    expect(r2.status).toBe(200);
    expect((await client(tickets.url, r2.body.accessToken).get('/projects')).status).toBe(200);
  });

  test('reusing a rotated refresh token revokes the whole family', async () => {
    const s = await auth.devLogin();
    const rotated = await auth.api().post('/auth/refresh', { refreshToken: s.refreshToken });
    expect(rotated.status).toBe(200);
    // The first token again (stolen, or replayed): refused, and the thief's success is the victim's logout.
    const reuse = await auth.api().post('/auth/refresh', { refreshToken: s.refreshToken });
    expect(reuse.status).toBe(401);
    expect(reuse.body.error.code).toBe('REFRESH_TOKEN_REUSED');
    const newest = await auth.api().post('/auth/refresh', { refreshToken: rotated.body.refreshToken });
    expect(newest.status).toBe(401);
    expect(newest.body.error.code).toBe('REFRESH_TOKEN_REVOKED');
    expect(await (await fetch(`${auth.url}/metrics`)).text()).toMatch(/^auth_refresh_reuse_total [1-9]/m);
    // Another login of the same person is another family and is untouched.
    const other = await auth.devLogin(s.user.email);
    expect((await auth.api().post('/auth/refresh', { refreshToken: other.refreshToken })).status).toBe(200);
  });

  test('a browser refreshes with its cookie and gets new cookies, not tokens in the body', async () => {
    const b = browser();
    await b.go(`${auth.url}/auth/dev/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: 'cookie@example.test' }) });
    const before = b.jar.get(REFRESH_COOKIE);
    const res = await b.go(`${auth.url}/auth/refresh`, { method: 'POST' });
    expect(res.status).toBe(200);
    const body = (await res.json()) as any;
    expect(body.refreshToken).toBeUndefined();
    expect(b.jar.get(REFRESH_COOKIE)).not.toBe(before);
    expect((await b.go(`${auth.url}/auth/me`)).status).toBe(200);
  });

  test('logout revokes the session and clears the cookies', async () => {
    const b = browser();
    await b.go(`${auth.url}/auth/dev/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: 'bye@example.test' }) });
    const refresh = decodeURIComponent(b.jar.get(REFRESH_COOKIE)!);
    const res = await b.go(`${auth.url}/auth/logout`, { method: 'POST' });
    expect(res.status).toBe(204);
    expect(b.jar.has(ACCESS_COOKIE)).toBe(false);
    expect(b.jar.has(REFRESH_COOKIE)).toBe(false);
    const after = await auth.api().post('/auth/refresh', { refreshToken: refresh });
    expect(after.status).toBe(401);
    expect(after.body.error.code).toBe('REFRESH_TOKEN_REVOKED');
  });

  test('missing, unknown and malformed refresh tokens are 4xx', async () => {
    expect((await auth.api().post('/auth/refresh')).body.error.code).toBe('REFRESH_TOKEN_MISSING');
    expect((await auth.api().post('/auth/refresh', { refreshToken: 'sbr_nope' })).body.error.code).toBe('REFRESH_TOKEN_INVALID');
    const bad = await auth.api().post('/auth/refresh', { refreshToken: 42 });
    expect(bad.status).toBe(422);
    expect(bad.body.error.message).toContain('refreshToken');
  });
});

/** Signed with the service's real current key, lacking what `omit` names: only the verifier's rules can refuse it. */
async function signedByAuthWithout(omit: 'exp' | 'iat') {
  const { current } = await loadKeys({ AUTH_KEY_DIR: auth.keyDir });
  const jwt = new SignJWT({ email: 'x@example.test', name: 'X' })
    .setProtectedHeader({ alg: 'ES256', kid: current.kid! })
    .setSubject(crypto.randomUUID())
    .setIssuer(auth.config.AUTH_ISSUER)
    .setAudience('syncroboard');
  if (omit !== 'exp') jwt.setExpirationTime('5m');
  if (omit !== 'iat') jwt.setIssuedAt();
  return jwt.sign(await importJWK(current, 'ES256'));
}

describe('access tokens are refused when they should be, by auth and by the Ticket Service', () => {
  const refusals: [string, () => Promise<string>][] = [
    ['without exp (it would never expire)', () => signedByAuthWithout('exp')],
    ['without iat', () => signedByAuthWithout('iat')],
    [
      'wrong audience',
      async () => auth.service.keys.sign({ email: 'x@example.test', name: 'X' }, { subject: crypto.randomUUID(), issuer: auth.config.AUTH_ISSUER, audience: 'other', ttlSeconds: 60 }),
    ],
    [
      'expired',
      async () => auth.service.keys.sign({ email: 'x@example.test', name: 'X' }, { subject: crypto.randomUUID(), issuer: auth.config.AUTH_ISSUER, audience: 'syncroboard', ttlSeconds: -60 }),
    ],
    [
      'forged with another key under our kid',
      async () =>
        new SignJWT({ email: 'x@example.test', name: 'X' })
          .setProtectedHeader({ alg: 'ES256', kid: auth.service.keys.currentKid })
          .setSubject(crypto.randomUUID())
          .setIssuer(auth.config.AUTH_ISSUER)
          .setAudience('syncroboard')
          .setExpirationTime('5m')
          .sign((await generateKeyPair('ES256')).privateKey),
    ],
    [
      'alg:none',
      async () =>
        `${base64url.encode(JSON.stringify({ alg: 'none', typ: 'JWT' }))}.${base64url.encode(
          JSON.stringify({ sub: crypto.randomUUID(), email: 'x@example.test', name: 'X', iss: auth.config.AUTH_ISSUER, aud: 'syncroboard', exp: Math.floor(Date.now() / 1000) + 60 }),
        )}.`,
    ],
  ];
  test.each(refusals)('%s → 401', async (_name, make) => {
    const token = await make();
    for (const [url, path] of [
      [auth.url, '/auth/me'],
      [tickets.url, '/projects'],
    ] as const) {
      const res = await client(url, token).get(path);
      expect(res.status).toBe(401);
      expect(['TOKEN_INVALID', 'TOKEN_EXPIRED']).toContain(res.body.error.code);
    }
  });
});
