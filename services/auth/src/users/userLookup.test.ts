/**
 * `GET /auth/users/lookup?email=` and `GET /auth/users?ids=`: signed-in callers only, the lookup
 * case-insensitive, one 404 for every unknown address, limited per caller; names by id without emails.
 */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import * as v from 'valibot';
import { startAuth, type Auth } from '@syncro/auth/harness';
import { UserLookupBody, UserNamesBody } from '../responses.schema.ts';
import { LOOKUPS_PER_MIN_PER_USER, MAX_IDS } from './users.routes.ts';

let auth: Auth;
beforeAll(async () => {
  auth = await startAuth({ AUTH_DEV_LOGIN: '1', DEV_LOGIN_PER_MIN_PER_CLIENT: '1000' });
});
afterAll(() => auth?.stop());

const uniq = () => crypto.randomUUID().slice(0, 8);
const lookup = (token: string, email: string) => auth.api(token).get(`/auth/users/lookup?email=${encodeURIComponent(email)}`);

describe('GET /auth/users/lookup', () => {
  test('finds a user by email, whatever its case, with id, name and email only', async () => {
    const me = await auth.devLogin();
    const ada = await auth.devLogin(`ada.${uniq()}@example.test`, 'Ada Lovelace');
    const exact = await lookup(me.accessToken, ada.user.email);
    expect(exact.status).toBe(200);
    expect(exact.body).toEqual({ id: ada.user.id, name: 'Ada Lovelace', email: ada.user.email });
    expect(v.safeParse(UserLookupBody, exact.body).issues).toBeUndefined();
    const shouted = await lookup(me.accessToken, `  ${ada.user.email.toUpperCase()} `);
    expect(shouted.status).toBe(200);
    expect(shouted.body.id).toBe(ada.user.id);
  });

  test('an unknown address is 404 NOT_FOUND', async () => {
    const me = await auth.devLogin();
    const res = await lookup(me.accessToken, `nobody.${uniq()}@example.test`);
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe('NOT_FOUND');
  });

  test('the session cookie works as well as a Bearer token', async () => {
    const me = await auth.devLogin();
    const res = await auth.api().get(`/auth/users/lookup?email=${encodeURIComponent(me.user.email)}`, { cookie: `sb_access=${me.accessToken}` });
    expect(res.status).toBe(200);
    expect(res.body.id).toBe(me.user.id);
  });

  test('without a token: 401, and no answer about the address', async () => {
    const someone = await auth.devLogin();
    const res = await auth.api().get(`/auth/users/lookup?email=${encodeURIComponent(someone.user.email)}`);
    expect(res.status).toBe(401);
    expect(res.body.id).toBeUndefined();
    expect((await auth.api('not-a-jwt').get(`/auth/users/lookup?email=${encodeURIComponent(someone.user.email)}`)).status).toBe(401);
  });

  test.each([['not-an-email'], [''], ['a@example.test,b@example.test'], [`${'a'.repeat(320)}@example.test`]])('email %p is refused with 400 naming the field', async (bad) => {
    const me = await auth.devLogin();
    const res = await lookup(me.accessToken, bad);
    expect(res.status).toBe(400);
    expect(JSON.stringify(res.body.error)).toContain('email');
  });

  test('a missing email is refused with 400 naming the field', async () => {
    const me = await auth.devLogin();
    const res = await auth.api(me.accessToken).get('/auth/users/lookup');
    expect(res.status).toBe(400);
    expect(JSON.stringify(res.body.error)).toContain('email');
  });

  test(`more than ${LOOKUPS_PER_MIN_PER_USER} lookups a minute by one caller get 429 with Retry-After; another caller is unaffected`, async () => {
    const [me, other] = [await auth.devLogin(), await auth.devLogin()];
    for (let i = 0; i < LOOKUPS_PER_MIN_PER_USER; i++) expect((await lookup(me.accessToken, `walk.${i}.${uniq()}@example.test`)).status).toBe(404);
    const limited = await lookup(me.accessToken, other.user.email);
    expect(limited.status).toBe(429);
    expect(limited.body.error.code).toBe('RATE_LIMITED');
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect((await lookup(other.accessToken, me.user.email)).status).toBe(200);
  });
});

describe('GET /auth/users?ids=', () => {
  test('names by id (upper-case ids accepted), no emails, unknown ids left out', async () => {
    const me = await auth.devLogin();
    const ada = await auth.devLogin(`ada.${uniq()}@example.test`, 'Ada');
    const bob = await auth.devLogin(`bob.${uniq()}@example.test`, 'Bob');
    const ids = [ada.user.id.toUpperCase(), bob.user.id, crypto.randomUUID(), bob.user.id].join(',');
    const res = await auth.api(me.accessToken).get(`/auth/users?ids=${ids}`);
    expect(res.status).toBe(200);
    expect(v.safeParse(UserNamesBody, res.body).issues).toBeUndefined();
    const byId = Object.fromEntries(res.body.users.map((u: { id: string; name: string }) => [u.id, u]));
    expect(res.body.users).toHaveLength(2);
    expect(byId[ada.user.id]).toEqual({ id: ada.user.id, name: 'Ada' });
    expect(byId[bob.user.id]).toEqual({ id: bob.user.id, name: 'Bob' });
    expect(JSON.stringify(res.body)).not.toContain('@');
  });

  test('one id, and ids given as repeated keys, work too', async () => {
    const me = await auth.devLogin();
    const ada = await auth.devLogin(`ada.${uniq()}@example.test`, 'Ada');
    expect((await auth.api(me.accessToken).get(`/auth/users?ids=${ada.user.id}`)).body).toEqual({ users: [{ id: ada.user.id, name: 'Ada' }] });
    const repeated = await auth.api(me.accessToken).get(`/auth/users?ids=${ada.user.id}&ids=${me.user.id}`);
    expect(repeated.body.users.map((u: { id: string }) => u.id).sort()).toEqual([ada.user.id, me.user.id].sort());
  });

  test('an empty list is an empty answer', async () => {
    const me = await auth.devLogin();
    const res = await auth.api(me.accessToken).get('/auth/users?ids=');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ users: [] });
  });

  test(`more than ${MAX_IDS} ids, or one that is not a UUID, is 400 naming ids`, async () => {
    const me = await auth.devLogin();
    const many = Array.from({ length: MAX_IDS + 1 }, () => crypto.randomUUID()).join(',');
    const tooMany = await auth.api(me.accessToken).get(`/auth/users?ids=${many}`);
    expect(tooMany.status).toBe(400);
    expect(tooMany.body.error.message).toContain(`ids: must list at most ${MAX_IDS}`);
    const bad = await auth.api(me.accessToken).get(`/auth/users?ids=${crypto.randomUUID()},nope`);
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.body.error)).toContain('ids');
    expect(bad.body.error.message).toContain('UUID');
    expect((await auth.api(me.accessToken).get(`/auth/users?ids=${Array.from({ length: MAX_IDS }, () => crypto.randomUUID()).join(',')}`)).status).toBe(200);
    expect((await auth.api(me.accessToken).get('/auth/users')).status).toBe(400);
  });

  test('without a token: 401', async () => {
    expect((await auth.api().get(`/auth/users?ids=${crypto.randomUUID()}`)).status).toBe(401);
  });
});
