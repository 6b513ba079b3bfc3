/** Personal access tokens: shown once, stored hashed, exchanged for a short-lived JWT, revocable. */
import { beforeAll, describe, expect, test } from 'bun:test';
import { client } from '@syncro/testing';
import postgres from 'postgres';
import { decodeJwt } from 'jose';
import { randomKey, type Tickets } from '@syncro/tickets/harness';
import { useAuthWithTickets, type Auth } from '@syncro/auth/harness';
import { hashSecret } from '../sessions/secrets.ts';

const running = useAuthWithTickets({ AUTH_DEV_LOGIN: '1' });
let auth: Auth;
let tickets: Tickets;
beforeAll(() => {
  ({ auth, tickets } = running);
});

describe('personal access tokens', () => {
  test('create (shown once) → exchange at POST /auth/token → the Ticket Service accepts the JWT → revoke', async () => {
    const me = await auth.devLogin();
    const api = auth.api(me.accessToken);
    const created = await api.post('/auth/tokens', { name: 'CI webhook', expiresInDays: 30 });
    expect(created.status).toBe(201);
    expect(created.body.token).toStartWith('sbp_');
    expect(created.body).toMatchObject({ name: 'CI webhook', prefix: created.body.token.slice(0, 12), revokedAt: null });

    // Listed without the secret; stored only as its hash.
    const listed = await api.get('/auth/tokens');
    expect(listed.body.tokens).toHaveLength(1);
    expect(JSON.stringify(listed.body)).not.toContain(created.body.token);
    const sql = postgres(auth.config.DATABASE_URL, { max: 1 });
    const [row] = await sql`select token_hash from personal_access_tokens where id = ${created.body.id}`;
    await sql.end();
    expect(row!.token_hash).toBe(hashSecret(created.body.token));

    const exchanged = await auth.api().post('/auth/token', { token: created.body.token });
    expect(exchanged.status).toBe(200);
    expect(exchanged.body).toMatchObject({ tokenType: 'Bearer', expiresIn: 900 });
    expect(decodeJwt(exchanged.body.accessToken)).toMatchObject({ sub: me.user.id, email: me.user.email });
    const project = await client(tickets.url, exchanged.body.accessToken).post('/projects', { name: 'Scripted', key: randomKey() });
    expect(project.status).toBe(201);
    expect((await api.get('/auth/tokens')).body.tokens[0].lastUsedAt).not.toBeNull();

    expect((await api.delete(`/auth/tokens/${created.body.id}`)).body.revokedAt).not.toBeNull();
    const refused = await auth.api().post('/auth/token', { token: created.body.token });
    expect(refused.status).toBe(401);
    expect(refused.body.error.code).toBe('TOKEN_INVALID');
  });

  test('an expired PAT buys nothing; a PAT near its end buys a JWT no longer-lived than itself', async () => {
    const me = await auth.devLogin();
    const api = auth.api(me.accessToken);
    const { body } = await api.post('/auth/tokens', { name: 'short', expiresInDays: 1 });
    const sql = postgres(auth.config.DATABASE_URL, { max: 1 });
    await sql`update personal_access_tokens set expires_at = now() + interval '60 seconds' where id = ${body.id}`;
    const near = await auth.api().post('/auth/token', { token: body.token });
    expect(near.status).toBe(200);
    expect(near.body.expiresIn).toBeLessThanOrEqual(60);
    await sql`update personal_access_tokens set expires_at = now() - interval '1 second' where id = ${body.id}`;
    await sql.end();
    const expired = await auth.api().post('/auth/token', { token: body.token });
    expect(expired.status).toBe(401);
    expect(expired.body.error.code).toBe('TOKEN_EXPIRED');
  });

  test('one user cannot see or revoke another’s tokens', async () => {
    const owner = await auth.devLogin();
    const other = await auth.devLogin();
    const { body } = await auth.api(owner.accessToken).post('/auth/tokens', { name: 'mine' });
    expect((await auth.api(other.accessToken).get('/auth/tokens')).body.tokens).toEqual([]);
    expect((await auth.api(other.accessToken).delete(`/auth/tokens/${body.id}`)).status).toBe(404);
    expect((await auth.api().post('/auth/token', { token: body.token })).status).toBe(200);
  });

  test('bad input is a 4xx naming the problem; no token, no access', async () => {
    const me = await auth.devLogin();
    const api = auth.api(me.accessToken);
    const cases: [Promise<{ status: number; body: any }>, number, string][] = [
      [api.post('/auth/tokens', { name: '' }), 422, 'name'],
      [api.post('/auth/tokens', { name: 'x', expiresInDays: 0 }), 422, 'expiresInDays'],
      [api.post('/auth/tokens', { name: 'x', scopes: ['all'] }), 422, 'scopes'],
      [api.delete('/auth/tokens/not-a-uuid'), 400, 'id'],
      [auth.api().post('/auth/token', { token: 'sbr_refresh-token-instead' }), 422, 'token'],
      [auth.api().post('/auth/tokens', { name: 'anonymous' }), 401, 'access token'],
    ];
    for (const [reply, status, named] of cases) {
      const res = await reply;
      expect(res.status).toBe(status);
      expect(res.body.error.message).toContain(named);
    }
  });
});
