/**
 * Invite links on a real Auth Service: only the owner (signed in through the setup link) manages
 * them; accepting one signs a new user in with cookies, counts the use, and refuses used-up,
 * expired, revoked and unknown tokens, existing emails, and floods.
 */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { ACCESS_COOKIE } from '@syncro/kit/auth';
import { eq } from 'drizzle-orm';
import { APP_URL, browser, startAuth, type Auth } from '../../test/harness.ts';
import { REFRESH_COOKIE } from '../sessions/cookies.ts';
import { users } from '../users/users.model.ts';
import { ACCEPTS_PER_MIN_PER_CLIENT } from './invites.routes.ts';
import { invites } from './invites.model.ts';

let auth: Auth;
let owner: string;
const email = () => `invitee.${crypto.randomUUID().slice(0, 8)}@example.test`;
const accept = (body: Record<string, unknown>) => auth.api().post('/auth/invites/accept', body);
const create = (body: Record<string, unknown> = {}) => auth.api(owner).post('/auth/invites', body);

beforeAll(async () => {
  auth = await startAuth();
  const b = browser();
  expect((await b.go((await auth.service.setup.issue())!)).status).toBe(303);
  owner = b.jar.get(ACCESS_COOKIE)!;
});
afterAll(() => auth?.stop());

describe('invite links', () => {
  test('the owner creates one (token once, defaults 72 h and one use); accepting it signs a new user in with cookies, once', async () => {
    const before = Date.now();
    const made = await create();
    expect(made.status).toBe(201);
    expect(made.body).toMatchObject({ maxUses: 1, uses: 0, revokedAt: null });
    expect(made.body.url).toBe(`${APP_URL}invite#${made.body.token}`);
    const hours = (Date.parse(made.body.expiresAt) - before) / 3_600_000;
    expect(hours).toBeGreaterThan(71.9);
    expect(hours).toBeLessThan(72.1);
    // Stored hashed: the token is in no column.
    const [row] = await auth.service.deps.db.select().from(invites).where(eq(invites.id, made.body.id));
    expect(JSON.stringify(row)).not.toContain(made.body.token);

    const who = email();
    const b = browser();
    const res = await b.go(`${auth.url}/auth/invites/accept`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: new URL(APP_URL).origin },
      body: JSON.stringify({ token: made.body.token, email: who, name: 'Ines' }),
    });
    expect(res.status).toBe(200);
    const body = (await res.json()) as any;
    expect(body).toMatchObject({ created: true, user: { email: who, name: 'Ines' } });
    // A browser's refresh token is in its HttpOnly cookie only, never where page scripts read.
    expect(body.refreshToken).toBeUndefined();
    expect(b.jar.has(ACCESS_COOKIE) && b.jar.has(REFRESH_COOKIE)).toBe(true);
    const me = await auth.api(b.jar.get(ACCESS_COOKIE)).get('/auth/me');
    expect(me.status).toBe(200);

    const again = await accept({ token: made.body.token, email: email() });
    expect(again.status).toBe(403);
    expect(again.body.error.code).toBe('INVITE_USED_UP');

    // The invitee is not the owner: managing invites is refused.
    const theirs = await auth.api(body.accessToken).post('/auth/invites', {});
    expect(theirs.status).toBe(403);
    expect(theirs.body.error.code).toBe('NOT_OWNER');
    expect((await auth.api(body.accessToken).get('/auth/invites')).status).toBe(403);
    expect((await auth.api().post('/auth/invites', {})).status).toBe(401);
  });

  test('a multi-use link counts its uses; two racing for the last use: exactly one gets in', async () => {
    const made = await create({ maxUses: 3, expiresInHours: 1 });
    expect(made.status).toBe(201);
    const first = await accept({ token: made.body.token, email: email() });
    expect(first.status).toBe(200);
    // An API client (no Origin) keeps its session in the body.
    expect(first.body.refreshToken).toMatch(/.{20,}/);
    const race = await Promise.all([1, 2, 3].map(() => accept({ token: made.body.token, email: email() })));
    expect(race.map((r) => r.status).sort()).toEqual([200, 200, 403]);
    const list = await auth.api(owner).get('/auth/invites');
    expect(list.status).toBe(200);
    expect(list.body.invites.find((i: { id: string }) => i.id === made.body.id)).toMatchObject({ uses: 3, maxUses: 3 });
    expect(JSON.stringify(list.body)).not.toContain(made.body.token);
  });

  test('expired, revoked and unknown tokens, an existing email and bad input are refused with 4xx and write nothing', async () => {
    const expired = await create();
    await auth.service.deps.db.update(invites).set({ expiresAt: new Date(Date.now() - 1000) }).where(eq(invites.id, expired.body.id));
    const late = await accept({ token: expired.body.token, email: email() });
    expect(late.status).toBe(403);
    expect(late.body.error.code).toBe('INVITE_EXPIRED');

    const revoked = await create();
    const del = await auth.api(owner).delete(`/auth/invites/${revoked.body.id}`);
    expect(del.status).toBe(200);
    expect(del.body.revokedAt).not.toBeNull();
    const gone = await accept({ token: revoked.body.token, email: email() });
    expect(gone.status).toBe(403);
    expect(gone.body.error.code).toBe('INVITE_REVOKED');
    expect((await auth.api(owner).delete(`/auth/invites/${crypto.randomUUID()}`)).status).toBe(404);

    const unknown = await accept({ token: 'sbi_nothing-like-this', email: email() });
    expect(unknown.status).toBe(404);

    // An invite never signs into an existing account, and the refused attempt does not spend the use.
    const good = await create();
    const taken = await accept({ token: good.body.token, email: 'owner@syncroboard.invalid' });
    expect(taken.status).toBe(409);
    expect(taken.body.error.code).toBe('EMAIL_TAKEN');
    const [row] = await auth.service.deps.db.select().from(invites).where(eq(invites.id, good.body.id));
    expect(row!.uses).toBe(0);

    const who = email();
    for (const bad of [{ token: good.body.token }, { token: good.body.token, email: 'not-an-email' }, { token: 'nope', email: who }, { token: good.body.token, email: who, extra: 1 }]) {
      const res = await accept(bad);
      expect(res.status).toBe(422);
      expect(res.body.error.code).toBeString();
    }
    expect(await auth.service.deps.db.select().from(users).where(eq(users.email, who))).toEqual([]);
    expect((await create({ maxUses: 0 })).status).toBe(422);
    expect((await create({ expiresInHours: 1.5 })).status).toBe(422);
  });

  // Last: it spends this client's accept budget for the minute.
  test('accepting is rate-limited per client address', async () => {
    const statuses: number[] = [];
    for (let i = 0; i <= ACCEPTS_PER_MIN_PER_CLIENT + 1; i++) statuses.push((await accept({ token: 'sbi_guess', email: email() })).status);
    expect(statuses).toContain(429);
    expect(statuses.filter((s) => s === 404).length).toBeLessThanOrEqual(ACCEPTS_PER_MIN_PER_CLIENT);
  });
});
