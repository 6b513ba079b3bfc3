/**
 * The login in a real browser (Debian's Chromium driven by playwright-core): it follows the
 * redirects to the local OIDC provider and back, accepts the session cookies as a browser would
 * (HttpOnly, SameSite=Lax), lands on the app, and is signed in there. APP_URL points at /auth/me so
 * the landing page shows who the browser is.
 */
import { afterAll, beforeAll, expect, test } from 'bun:test';
import { ACCESS_COOKIE } from '@syncro/kit/auth';
import { chromium, type Browser } from 'playwright-core';
import { startAuth, startMockProvider, type Auth, type MockProvider } from '@syncro/auth/harness';
import { REFRESH_COOKIE } from '../sessions/cookies.ts';
import { freePort } from '@syncro/testing/ports';

let provider: MockProvider;
let auth: Auth;
let browser: Browser;

beforeAll(async () => {
  provider = await startMockProvider();
  const port = freePort();
  auth = await startAuth(
    { OIDC_ISSUER: provider.issuer, OIDC_CLIENT_ID: 'syncro-web', OIDC_CLIENT_SECRET: 'shh', APP_URL: `http://127.0.0.1:${port}/auth/me` },
    { port },
  );
  browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox'] });
});
afterAll(async () => {
  await browser?.close();
  await auth?.stop();
  await provider?.stop();
});

test('Chromium logs in through the OIDC provider and lands signed in; scripts cannot read the tokens', async () => {
  const id = crypto.randomUUID().slice(0, 8);
  provider.as({ sub: `browser-${id}`, email: `browser.${id}@example.test`, name: 'Chromium User' });
  const context = await browser.newContext();
  const page = await context.newPage();
  const visited: string[] = [];
  page.on('request', (r) => r.isNavigationRequest() && visited.push(new URL(r.url()).pathname));

  const response = await page.goto(`${auth.url}/auth/oidc/login`);
  expect(response?.status()).toBe(200);
  expect(new URL(page.url()).pathname).toBe('/auth/me');
  expect(visited).toEqual(['/auth/oidc/login', '/authorize', '/auth/oidc/callback', '/auth/me']);
  const me = JSON.parse((await page.textContent('body'))!);
  expect(me).toMatchObject({ email: `browser.${id}@example.test`, name: 'Chromium User' });

  const cookies = await context.cookies(auth.url);
  const access = cookies.find((c) => c.name === ACCESS_COOKIE)!;
  expect(access).toMatchObject({ httpOnly: true, sameSite: 'Lax', path: '/' });
  expect(cookies.find((c) => c.name === 'sb_oauth_state')).toBeUndefined();
  // The refresh cookie only travels to /auth; neither is visible to page scripts.
  expect((await context.cookies(`${auth.url}/auth/refresh`)).find((c) => c.name === REFRESH_COOKIE)?.httpOnly).toBe(true);
  // Runs in the page, where `document` exists (this file is typed for Bun, not the DOM).
  expect(await page.evaluate('document.cookie')).toBe('');

  // The browser's refresh and logout work with its cookies alone.
  const refreshed = await page.evaluate(async () => (await fetch('/auth/refresh', { method: 'POST' })).status);
  expect(refreshed).toBe(200);
  const loggedOut = await page.evaluate(async () => (await fetch('/auth/logout', { method: 'POST' })).status);
  expect(loggedOut).toBe(204);
  expect((await page.goto(`${auth.url}/auth/me`))?.status()).toBe(401);
  await context.close();
}, 60_000);
