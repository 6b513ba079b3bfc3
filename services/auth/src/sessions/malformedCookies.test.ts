/**
 * Cookies are the browser's to send, so a broken one (`%E0%A4%A` is not valid percent-encoding) is
 * the caller's 4xx, treated as absent or invalid, never our 500: the session cookies and each of the
 * login's state, verifier and nonce cookies.
 */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { ACCESS_COOKIE } from '@syncro/kit/auth';
import { browser, startAuth, startMockProvider, type Auth, type MockProvider } from '@syncro/auth/harness';
import { OAUTH_COOKIES, REFRESH_COOKIE, readCookie } from './cookies.ts';

const BROKEN = '%E0%A4%A';
let provider: MockProvider;
let auth: Auth;

beforeAll(async () => {
  provider = await startMockProvider();
  auth = await startAuth({ OIDC_ISSUER: provider.issuer, OIDC_CLIENT_ID: 'syncro-web', OIDC_CLIENT_SECRET: 'shh', AUTH_DEV_LOGIN: '1' });
});
afterAll(async () => {
  await auth?.stop();
  await provider?.stop();
});

const send = (path: string, cookie: string, method = 'GET') => fetch(`${auth.url}${path}`, { method, headers: { cookie, origin: auth.url }, redirect: 'manual' });
const errorOf = async (res: Response) => {
  expect(res.headers.get('content-type')).toContain('application/json');
  return ((await res.json()) as { error: { code: string; message: string } }).error;
};

describe('malformed percent-encoded cookies', () => {
  test('readCookie treats one as absent', () => {
    expect(readCookie(new Headers({ cookie: `a=1; ${REFRESH_COOKIE}=${BROKEN}` }), REFRESH_COOKIE)).toBeNull();
  });

  test(`${ACCESS_COOKIE} at a guarded route → 401 naming the cookie`, async () => {
    const res = await send('/auth/me', `${ACCESS_COOKIE}=${BROKEN}`);
    expect(res.status).toBe(401);
    const error = await errorOf(res);
    expect(error.code).toBe('TOKEN_INVALID');
    expect(error.message).toContain(ACCESS_COOKIE);
  });

  test(`${REFRESH_COOKIE} at /auth/refresh → 401, and /auth/logout still ends nothing and succeeds`, async () => {
    const refresh = await send('/auth/refresh', `${REFRESH_COOKIE}=${BROKEN}`, 'POST');
    expect(refresh.status).toBe(401);
    expect((await errorOf(refresh)).code).toBe('REFRESH_TOKEN_MISSING');
    expect((await send('/auth/logout', `${REFRESH_COOKIE}=${BROKEN}`, 'POST')).status).toBe(204);
  });

  const loginCookies: [keyof typeof OAUTH_COOKIES, string][] = [
    ['state', 'OAUTH_STATE_MISSING'],
    ['verifier', 'PKCE_VERIFIER_MISSING'],
    ['nonce', 'OAUTH_NONCE_MISSING'],
  ];
  test.each(loginCookies)('the login %s cookie at the callback → 400 %s', async (which, code) => {
    provider.as({ sub: `oidc-${crypto.randomUUID()}`, email: `c.${crypto.randomUUID().slice(0, 8)}@example.test`, name: 'C' });
    const b = browser();
    const login = await b.go(`${auth.url}/auth/oidc/login`);
    const consent = await fetch(login.headers.get('location')!, { redirect: 'manual' });
    b.jar.set(OAUTH_COOKIES[which], BROKEN);
    const res = await b.go(consent.headers.get('location')!);
    expect(res.status).toBe(400);
    expect((await errorOf(res)).code).toBe(code);
  });
});
