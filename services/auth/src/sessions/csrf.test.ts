/**
 * CSRF with the session cookie: a write that rides on the cookie must come from the service's own
 * origin (or APP_URL's, or ALLOWED_ORIGINS), through the kit guard on the Ticket Service and on
 * auth's own cookie-driven routes. A foreign page — another site, or another port of the same host —
 * is refused with 403 CSRF_REFUSED and writes nothing; Bearer requests are unaffected.
 */
import { beforeAll, describe, expect, test } from 'bun:test';
import { client } from '@syncro/testing';
import type { Tickets } from '@syncro/tickets/harness';
import { randomKey } from '@syncro/tickets/harness';
import { APP_URL, browser, useAuthWithTickets, type Auth, type Browser } from '@syncro/auth/harness';
import { freePort } from '@syncro/testing/ports';
import { REFRESH_COOKIE } from './cookies.ts';

const running = useAuthWithTickets({ AUTH_DEV_LOGIN: '1' });
let auth: Auth;
let tickets: Tickets;
beforeAll(() => {
  ({ auth, tickets } = running);
});

const FOREIGN = ['http://evil.example', `http://127.0.0.1:${freePort()}`];

/** A browser signed in through the development login, with its cookies, and its bearer token for checks. */
async function signedIn() {
  const b = browser();
  const res = await b.go(`${auth.url}/auth/dev/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: `csrf.${crypto.randomUUID().slice(0, 8)}@example.test` }),
  });
  const body = (await res.json()) as { user: { id: string }; accessToken: string };
  return { b, user: body.user, token: body.accessToken };
}

const post = (b: Browser, url: string, body: unknown, headers: Record<string, string>) =>
  b.go(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });

const refused = async (res: Response, origin: string | null) => {
  expect(res.status).toBe(403);
  const { error } = (await res.json()) as { error: { code: string; message: string } };
  expect(error.code).toBe('CSRF_REFUSED');
  if (origin) expect(error.message).toContain(origin);
};

describe('cookie-authenticated writes on the Ticket Service', () => {
  test('adding a project owner from a foreign origin is refused and writes nothing; from its own origin it works', async () => {
    const owner = await signedIn();
    const victim = client(tickets.url, owner.token);
    const project = (await victim.post('/projects', { name: 'CSRF target', key: randomKey() })).body as { id: string };
    const intruder = await signedIn();
    const addIntruder = (headers: Record<string, string>) => post(owner.b, `${tickets.url}/projects/${project.id}/members`, { userId: intruder.user.id, role: 'owner' }, headers);

    for (const origin of FOREIGN) await refused(await addIntruder({ origin }), origin);
    await refused(await addIntruder({ 'sec-fetch-site': 'cross-site' }), null);
    await refused(await addIntruder({ 'sec-fetch-site': 'same-site' }), null);
    const members = (await victim.get(`/projects/${project.id}/members`)).body as { members: { userId: string }[] };
    expect(members.members.map((m) => m.userId)).toEqual([owner.user.id]);

    expect((await addIntruder({ origin: new URL(tickets.url).origin })).status).toBe(201);
  });

  test('Sec-Fetch-Site: same-origin vouches when Origin is missing; reads need no Origin', async () => {
    const { b } = await signedIn();
    expect((await post(b, `${tickets.url}/projects`, { name: 'Same origin', key: randomKey() }, { 'sec-fetch-site': 'same-origin' })).status).toBe(201);
    expect((await b.go(`${tickets.url}/projects`, { headers: { origin: FOREIGN[0]! } })).status).toBe(200);
  });

  test('Bearer requests are unaffected, with or without a foreign Origin', async () => {
    const { token } = await signedIn();
    const api = (origin?: string) =>
      fetch(`${tickets.url}/projects`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', ...(origin ? { origin } : {}) },
        body: JSON.stringify({ name: 'Scripted', key: randomKey() }),
      });
    expect((await api()).status).toBe(201);
    expect((await api(FOREIGN[0])).status).toBe(201);
  });
});

describe("auth's own cookie-driven writes", () => {
  test('minting a PAT with the cookie from a foreign origin is refused and mints nothing; from APP_URL it works', async () => {
    const { b, token } = await signedIn();
    for (const origin of FOREIGN) await refused(await post(b, `${auth.url}/auth/tokens`, { name: 'stolen' }, { origin }), origin);
    expect((await auth.api(token).get('/auth/tokens')).body.tokens).toEqual([]);
    expect((await post(b, `${auth.url}/auth/tokens`, { name: 'mine' }, { origin: new URL(APP_URL).origin })).status).toBe(201);
    expect((await post(b, `${auth.url}/auth/tokens`, { name: 'mine too' }, { origin: auth.url })).status).toBe(201);
    expect((await auth.api(token).post('/auth/tokens', { name: 'by bearer' })).status).toBe(201);
  });

  test('refresh and logout with the cookie from a foreign origin are refused and change nothing', async () => {
    const { b } = await signedIn();
    const before = b.jar.get(REFRESH_COOKIE);
    for (const origin of FOREIGN) {
      await refused(await b.go(`${auth.url}/auth/refresh`, { method: 'POST', headers: { origin } }), origin);
      await refused(await b.go(`${auth.url}/auth/logout`, { method: 'POST', headers: { origin } }), origin);
    }
    expect(b.jar.get(REFRESH_COOKIE)).toBe(before);
    // Neither rotated nor revoked: the refresh token is still good, from our own origin.
    expect((await b.go(`${auth.url}/auth/refresh`, { method: 'POST', headers: { origin: auth.url } })).status).toBe(200);
    expect((await b.go(`${auth.url}/auth/logout`, { method: 'POST', headers: { origin: new URL(APP_URL).origin } })).status).toBe(204);
  });

  test('a refresh token in the body needs no Origin check (it is not ambient)', async () => {
    const s = await auth.devLogin();
    const res = await fetch(`${auth.url}/auth/refresh`, { method: 'POST', headers: { origin: FOREIGN[0]!, 'content-type': 'application/json' }, body: JSON.stringify({ refreshToken: s.refreshToken }) });
    expect(res.status).toBe(200);
  });
});
