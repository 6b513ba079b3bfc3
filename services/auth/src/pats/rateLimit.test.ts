/**
 * Rate limits on the Auth Service's guessable doors: `POST /auth/token` per client address and per
 * token prefix, `POST /auth/dev/login` per client address; 429 with Retry-After. Clients are told
 * apart by their socket address, so each test speaks from its own loopback address (127.0.0.x).
 * And a wrong token costs no write: a statement-level trigger counts every UPDATE of the table,
 * even one that matches no row.
 */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import http from 'node:http';
import postgres from 'postgres';
import { startAuth, type Auth } from '@syncro/auth/harness';

let auth: Auth;
let sql: postgres.Sql;

beforeAll(async () => {
  auth = await startAuth({ AUTH_DEV_LOGIN: '1', TOKEN_EXCHANGE_PER_MIN_PER_CLIENT: '5', TOKEN_EXCHANGE_PER_MIN_PER_PREFIX: '3', DEV_LOGIN_PER_MIN_PER_CLIENT: '3' });
  sql = postgres(auth.config.DATABASE_URL, { max: 1, onnotice: () => {} });
  await sql`create table pat_updates (at timestamptz not null default now())`;
  await sql`create function count_pat_update() returns trigger language plpgsql as $$ begin insert into pat_updates default values; return null; end $$`;
  await sql`create trigger pat_update_statements after update on personal_access_tokens for each statement execute function count_pat_update()`;
});
afterAll(async () => {
  await sql?.end();
  await auth?.stop();
});

interface Reply {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: any;
}

/** A POST sent from `from` (a loopback address), so the service sees that client address. */
const postFrom = (from: string, path: string, body: unknown, headers: Record<string, string> = {}) =>
  new Promise<Reply>((resolve, reject) => {
    const url = new URL(path, auth.url);
    const req = http.request(
      { host: url.hostname, port: url.port, path: url.pathname, method: 'POST', localAddress: from, headers: { 'content-type': 'application/json', ...headers } },
      (res) => {
        let text = '';
        res.on('data', (c) => (text += c));
        res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: text ? JSON.parse(text) : null }));
      },
    );
    req.on('error', reject);
    req.end(JSON.stringify(body));
  });

const guess = (tail = crypto.randomUUID().replaceAll('-', '')) => `sbp_${tail}`;
const expectLimited = (res: Reply) => {
  expect(res.status).toBe(429);
  expect(Number(res.headers['retry-after'])).toBeGreaterThanOrEqual(1);
  expect(res.body.error.code).toBe('RATE_LIMITED');
};

describe('POST /auth/token', () => {
  test('a burst beyond the per-client limit gets 429 with Retry-After; another client is unaffected', async () => {
    for (let i = 0; i < 5; i++) expect((await postFrom('127.0.0.2', '/auth/token', { token: guess() })).status).toBe(401);
    expectLimited(await postFrom('127.0.0.2', '/auth/token', { token: guess() }));
    expect((await postFrom('127.0.0.3', '/auth/token', { token: guess() })).status).toBe(401);
  });

  test('X-Forwarded-For is not believed without TRUST_PROXY=1', async () => {
    const spoofed = (i: number) => postFrom('127.0.0.4', '/auth/token', { token: guess() }, { 'x-forwarded-for': `198.51.100.${i}` });
    for (let i = 0; i < 5; i++) expect((await spoofed(i)).status).toBe(401);
    expectLimited(await spoofed(99));
  });

  test('guesses at one token prefix are limited across client addresses', async () => {
    const prefix = `AbCd${crypto.randomUUID().slice(0, 4)}`;
    for (let i = 0; i < 3; i++) expect((await postFrom(`127.0.1.${i + 1}`, '/auth/token', { token: guess(`${prefix}${crypto.randomUUID()}`) })).status).toBe(401);
    expectLimited(await postFrom('127.0.1.9', '/auth/token', { token: guess(`${prefix}${crypto.randomUUID()}`) }));
    expect((await postFrom('127.0.1.9', '/auth/token', { token: guess() })).status).toBe(401);
  });
});

describe('POST /auth/dev/login', () => {
  test('limited per client address', async () => {
    const login = (from: string) => postFrom(from, '/auth/dev/login', { email: `rl.${crypto.randomUUID().slice(0, 8)}@example.test` });
    for (let i = 0; i < 3; i++) expect((await login('127.0.2.1')).status).toBe(200);
    expectLimited(await login('127.0.2.1'));
    expect((await login('127.0.2.2')).status).toBe(200);
  });
});

describe('the exchange reads before it writes', () => {
  test('a wrong, a revoked or an expired token writes nothing; only a good one records lastUsedAt', async () => {
    const me = (await postFrom('127.0.3.1', '/auth/dev/login', { email: `w.${crypto.randomUUID().slice(0, 8)}@example.test` })).body;
    const api = auth.api(me.accessToken);
    const expired = (await api.post('/auth/tokens', { name: 'expired', expiresInDays: 1 })).body;
    const revoked = (await api.post('/auth/tokens', { name: 'revoked' })).body;
    const good = (await api.post('/auth/tokens', { name: 'good' })).body;
    await api.delete(`/auth/tokens/${revoked.id}`);
    await sql`update personal_access_tokens set expires_at = now() - interval '1 second' where id = ${expired.id}`;
    await sql`truncate pat_updates`;

    expect((await postFrom('127.0.3.2', '/auth/token', { token: guess() })).status).toBe(401);
    expect((await postFrom('127.0.3.3', '/auth/token', { token: revoked.token })).status).toBe(401);
    expect((await postFrom('127.0.3.4', '/auth/token', { token: expired.token })).body.error.code).toBe('TOKEN_EXPIRED');
    expect((await sql`select count(*)::int as n from pat_updates`)[0]!.n).toBe(0);
    expect((await sql`select last_used_at from personal_access_tokens where id = ${expired.id}`)[0]!.last_used_at).toBeNull();

    expect((await postFrom('127.0.3.5', '/auth/token', { token: good.token })).status).toBe(200);
    expect((await sql`select count(*)::int as n from pat_updates`)[0]!.n).toBe(1);
    expect((await sql`select last_used_at from personal_access_tokens where id = ${good.id}`)[0]!.last_used_at).not.toBeNull();
  });
});

describe('behind a trusted proxy (TRUST_PROXY=1)', () => {
  test('the entry the proxy appended is the client; what the client wrote before it is not', async () => {
    const proxied = await startAuth({ TRUST_PROXY: '1', TOKEN_EXCHANGE_PER_MIN_PER_CLIENT: '2' });
    try {
      const exchange = (xff: string) => fetch(`${proxied.url}/auth/token`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-forwarded-for': xff }, body: JSON.stringify({ token: guess() }) });
      expect((await exchange('1.1.1.1, 203.0.113.5')).status).toBe(401);
      expect((await exchange('2.2.2.2, 203.0.113.5')).status).toBe(401);
      expect((await exchange('3.3.3.3, 203.0.113.5')).status).toBe(429);
      expect((await exchange('203.0.113.6')).status).toBe(401);
    } finally {
      await proxied.stop();
    }
  });
});
