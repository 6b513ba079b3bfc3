/**
 * The setup link on a real Auth Service: issued only while the instance has no user, signs the
 * owner in once (session cookies, then the board), and is worthless after use or re-issue.
 */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { ACCESS_COOKIE } from '@syncro/kit/auth';
import { APP_URL, browser, startAuth, type Auth } from '../../test/harness.ts';
import { REFRESH_COOKIE } from '../sessions/cookies.ts';

let auth: Auth;
beforeAll(async () => {
  auth = await startAuth();
});
afterAll(() => auth?.stop());

describe('setup link', () => {
  test('signs the first user in once, as the owner; a re-issued link replaces the old one; none once a user exists', async () => {
    const first = await auth.service.setup.issue();
    const link = await auth.service.setup.issue();
    expect(link).toStartWith(`${auth.url}/auth/setup/`);
    // The first one was replaced: only the newest works.
    expect((await browser().go(first!)).status).toBe(404);

    const b = browser();
    const res = await b.go(link!);
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe(APP_URL);
    expect(b.jar.has(ACCESS_COOKIE) && b.jar.has(REFRESH_COOKIE)).toBe(true);
    const me = await auth.api(b.jar.get(ACCESS_COOKIE)).get('/auth/me');
    expect(me.status).toBe(200);
    expect(me.body.user ?? me.body).toMatchObject({ email: 'owner@syncroboard.invalid', name: 'Owner' });

    // Spent: a second click is a 404 JSON error, and with a user in place no new link is issued.
    const again = await auth.api().get(new URL(link!).pathname);
    expect(again.status).toBe(404);
    expect(again.body.error.code).toBe('NOT_FOUND');
    expect(await auth.service.setup.issue()).toBeNull();
  });
});
