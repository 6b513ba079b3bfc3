import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { newUser, startTestIdp, type TestIdp } from '@syncro/testing/tokens';
import { Elysia } from 'elysia';
import { SignJWT, base64url, createLocalJWKSet, exportJWK, generateKeyPair } from 'jose';
import { httpKit, MetricsRegistry } from '../http/index.ts';
import { createLogger } from '../log/index.ts';
import { ACCESS_COOKIE, allowedOriginsFromEnv, authGuard, createTokenVerifier } from './index.ts';

const json = (res: Response): Promise<any> => res.json();

let idp: TestIdp;
let app: Elysia<any>;
const user = newUser('Ada');

beforeAll(async () => {
  idp = await startTestIdp();
  const verify = createTokenVerifier({ jwksUrl: idp.jwksUrl, issuer: idp.issuer, audience: idp.audience });
  const guarded = new Elysia({ name: 'guarded' }).use(authGuard(verify, 'test')).get('/me', ({ user }) => user);
  app = new Elysia().use(httpKit({ service: 'auth-test', logger: createLogger({}), metrics: new MetricsRegistry() })).use(guarded) as never;
});
afterAll(() => idp.stop());

const call = (headers: Record<string, string> = {}) => app.handle(new Request('http://localhost/me', { headers }));
const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

describe('auth guard', () => {
  test('a valid bearer token gives the route the user', async () => {
    const res = await call(bearer(await idp.token(user)));
    expect(res.status).toBe(200);
    expect(await json(res)).toEqual({ id: user.id, email: user.email, name: user.name });
  });

  test('the session cookie works too', async () => {
    const res = await call({ cookie: `theme=dark; ${ACCESS_COOKIE}=${await idp.token(user)}` });
    expect(res.status).toBe(200);
  });

  test('no token → 401 JSON; open routes stay open', async () => {
    const res = await call();
    expect(res.status).toBe(401);
    expect((await json(res)).error.code).toBe('UNAUTHORIZED');
    expect((await app.handle(new Request('http://localhost/health'))).status).toBe(200);
  });

  const refused: [string, () => Promise<Record<string, string>>, string][] = [
    ['expired', async () => bearer(await idp.token(user, { expiresIn: Math.floor(Date.now() / 1000) - 60 })), 'TOKEN_EXPIRED'],
    ['wrong audience', async () => bearer(await idp.token(user, { audience: 'someone-else' })), 'TOKEN_INVALID'],
    ['wrong issuer', async () => bearer(await idp.token(user, { issuer: 'https://evil.example' })), 'TOKEN_INVALID'],
    ['forged with another key', async () => bearer(await idp.token(user, { key: await idp.foreignKey() })), 'TOKEN_INVALID'],
    [
      'alg none',
      async () => {
        const header = base64url.encode(JSON.stringify({ alg: 'none', typ: 'JWT' }));
        const claims = base64url.encode(
          JSON.stringify({ sub: user.id, email: user.email, name: user.name, iss: idp.issuer, aud: idp.audience, exp: Math.floor(Date.now() / 1000) + 600 }),
        );
        return bearer(`${header}.${claims}.`);
      },
      'TOKEN_INVALID',
    ],
    [
      'HS256 with the public key as secret',
      async () => {
        const jwk = (await json(await fetch(idp.jwksUrl))).keys[0];
        const token = await new SignJWT({ email: user.email, name: user.name })
          .setProtectedHeader({ alg: 'HS256', kid: jwk.kid })
          .setSubject(user.id)
          .setIssuer(idp.issuer)
          .setAudience(idp.audience)
          .setExpirationTime('5m')
          .sign(new TextEncoder().encode(JSON.stringify(jwk)));
        return bearer(token);
      },
      'TOKEN_INVALID',
    ],
    ['sub that is not a user id', async () => bearer(await idp.token({ ...user, id: 'admin' })), 'TOKEN_INVALID'],
    ['not a bearer scheme', async () => ({ authorization: `Basic ${btoa('a:b')}` }), 'TOKEN_INVALID'],
    ['garbage', async () => bearer('abc.def.ghi'), 'TOKEN_INVALID'],
    ['a session cookie that is not valid percent-encoding', async () => ({ cookie: `${ACCESS_COOKIE}=%E0%A4%A` }), 'TOKEN_INVALID'],
  ];

  test.each(refused)('%s → 401', async (_name, headers, code) => {
    const res = await call(await headers());
    expect(res.status).toBe(401);
    expect((await json(res)).error.code).toBe(code);
  });
});

describe('verified-token memory', () => {
  test('an expired token is refused even after it was accepted once', async () => {
    const verify = createTokenVerifier({ jwksUrl: idp.jwksUrl, issuer: idp.issuer, audience: idp.audience });
    const token = await idp.token(user, { expiresIn: Math.floor(Date.now() / 1000) + 2 });
    expect((await verify(token)).id).toBe(user.id);
    await Bun.sleep(2100);
    await expect(verify(token)).rejects.toMatchObject({ status: 401, code: 'TOKEN_EXPIRED' });
  });
});

describe('CSRF: cookie-authenticated writes', () => {
  const csrfApp = () => {
    const verify = createTokenVerifier({ jwksUrl: idp.jwksUrl, issuer: idp.issuer, audience: idp.audience });
    const guarded = new Elysia({ name: 'guarded-write' })
      .use(authGuard(verify, { seed: 'csrf-test', allowedOrigins: ['https://board.example.com/'] }))
      .post('/write', ({ user }) => user);
    return new Elysia().use(httpKit({ service: 'csrf-test', logger: createLogger({}), metrics: new MetricsRegistry() })).use(guarded);
  };
  const write = async (headers: Record<string, string>, url = 'http://api.example.com/write') => csrfApp().handle(new Request(url, { method: 'POST', headers }));
  const cookie = async () => ({ cookie: `${ACCESS_COOKIE}=${await idp.token(user)}` });

  test.each([
    ['its own origin', { origin: 'http://api.example.com' }],
    ['an allowed origin', { origin: 'https://board.example.com' }],
    ['Sec-Fetch-Site: same-origin without Origin', { 'sec-fetch-site': 'same-origin' }],
    ['no Origin and no Sec-Fetch-Site (no browser)', {}],
  ])('%s → 200', async (_name, headers) => {
    expect((await write({ ...(await cookie()), ...headers })).status).toBe(200);
  });

  test('its own Host behind a TLS proxy (the request URL says http, the browser https) → 200', async () => {
    expect((await write({ ...(await cookie()), host: 'api.example.com', origin: 'https://api.example.com' })).status).toBe(200);
  });

  test.each([
    ['another site', { origin: 'https://evil.example' }],
    ['another port of the same host', { origin: 'http://api.example.com:8080' }],
    ['a sandboxed page (Origin: null)', { origin: 'null' }],
    ['Sec-Fetch-Site: cross-site without Origin', { 'sec-fetch-site': 'cross-site' }],
  ])('%s → 403 CSRF_REFUSED', async (_name, headers) => {
    const res = await write({ ...(await cookie()), ...headers });
    expect(res.status).toBe(403);
    const { error } = await json(res);
    expect(error.code).toBe('CSRF_REFUSED');
    if ('origin' in headers) expect(error.message).toContain(headers.origin);
  });

  test('a Bearer write from a foreign origin is not a CSRF', async () => {
    expect((await write({ ...bearer(await idp.token(user)), origin: 'https://evil.example' })).status).toBe(200);
  });

  test('ALLOWED_ORIGINS is read as comma-separated origins', () => {
    expect(allowedOriginsFromEnv({ ALLOWED_ORIGINS: ' https://a.example/app , http://b.example:8080 ' })).toEqual(['https://a.example', 'http://b.example:8080']);
    expect(allowedOriginsFromEnv({})).toEqual([]);
    expect(() => allowedOriginsFromEnv({ ALLOWED_ORIGINS: 'board.example.com' })).toThrow('ALLOWED_ORIGINS: "board.example.com" is not an origin');
  });
});

describe('required claims', () => {
  // The test IdP always sets exp and iat, so these are signed with a key handed to the verifier directly.
  test.each([
    ['without exp', 'exp'],
    ['without iat', 'iat'],
  ])('a token %s is refused', async (_name, claim) => {
    const { privateKey, publicKey } = await generateKeyPair('ES256');
    const keys = createLocalJWKSet({ keys: [{ ...(await exportJWK(publicKey)), kid: 'k', alg: 'ES256' }] });
    const verify = createTokenVerifier({ jwksUrl: idp.jwksUrl, issuer: idp.issuer, audience: idp.audience, keys });
    const jwt = new SignJWT({ email: user.email, name: user.name }).setProtectedHeader({ alg: 'ES256', kid: 'k' }).setSubject(user.id).setIssuer(idp.issuer).setAudience(idp.audience);
    if (claim !== 'exp') jwt.setExpirationTime('5m');
    if (claim !== 'iat') jwt.setIssuedAt();
    await expect(verify(await jwt.sign(privateKey))).rejects.toMatchObject({ status: 401, code: 'TOKEN_INVALID' });
    // The same key and claims with both present pass: the refusal is the missing claim's.
    const whole = await new SignJWT({ email: user.email, name: user.name }).setProtectedHeader({ alg: 'ES256', kid: 'k' }).setSubject(user.id).setIssuer(idp.issuer).setAudience(idp.audience).setIssuedAt().setExpirationTime('5m').sign(privateKey);
    expect((await verify(whole)).id).toBe(user.id);
  });
});
