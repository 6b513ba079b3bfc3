/**
 * The destination after login, through the real round trip (our /login → the local OIDC provider →
 * our callback): whatever `?redirect=` says, the browser never leaves APP_URL's origin.
 */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { APP_URL, browser, loginThroughProvider, startAuth, startMockProvider, type Auth, type MockProvider } from '@syncro/auth/harness';
import { loginTarget } from './redirectTarget.ts';

let provider: MockProvider;
let auth: Auth;

beforeAll(async () => {
  provider = await startMockProvider();
  auth = await startAuth({ OIDC_ISSUER: provider.issuer, OIDC_CLIENT_ID: 'syncro-web', OIDC_CLIENT_SECRET: 'shh' });
});
afterAll(async () => {
  await auth?.stop();
  await provider?.stop();
});

const login = async (redirect: string) => {
  const id = crypto.randomUUID().slice(0, 8);
  provider.as({ sub: `oidc-${id}`, email: `r.${id}@example.test`, name: 'R' });
  const { done } = await loginThroughProvider(auth, browser(), 'oidc', redirect);
  expect(done.status).toBe(302);
  return new URL(done.headers.get('location')!);
};

describe('the redirect after login', () => {
  // Each is the decoded `?redirect=` value; the harness percent-encodes it, so `\t` travels as %09.
  const offsite = ['/\t/evil.example', '/\n/evil.example', '/\r/evil.example', '/\t\\evil.example', '//evil.example', '/\\evil.example', 'https://evil.example/board', '\\\\evil.example', 'javascript:alert(1)', 'http://127.0.0.1:6666/app/'];
  test.each(offsite)('%j lands on APP_URL, never off-site', async (redirect) => {
    const location = await login(redirect);
    expect(location.origin).toBe(new URL(APP_URL).origin);
    expect(location.toString()).toBe(APP_URL);
  });

  test('a same-origin path (and query) is kept', async () => {
    expect((await login('/board/SYNC?ticket=SYNC-4')).toString()).toBe(new URL('/board/SYNC?ticket=SYNC-4', APP_URL).toString());
  });

  test('a redirect cookie changed in the browser between login and callback is checked again', () => {
    expect(loginTarget('http://evil.example/', APP_URL)).toBe(APP_URL);
    expect(loginTarget('/\t/evil.example', APP_URL)).toBe(APP_URL);
    expect(loginTarget(null, APP_URL)).toBe(APP_URL);
  });
});
