/**
 * The browser login against a real local OIDC provider, end to end: /login → provider → callback →
 * cookies → /auth/me → the Ticket Service accepts the token. Then every way the round trip can be
 * tampered with is refused, and `user.created` is announced once per new user (one eventId; a second login announces nothing).
 */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { parseEnvelope } from '@syncro/contracts';
import { ACCESS_COOKIE } from '@syncro/kit/auth';
import { client, collectEvents, type EventCollector } from '@syncro/testing';
import { SignJWT, base64url, generateKeyPair } from 'jose';
import { startTickets, randomKey, type Tickets } from '@syncro/tickets/harness';
import { APP_URL, BROKERS, browser, loginThroughProvider, startAuth, startMockProvider, type Auth, type MockProvider } from '@syncro/auth/harness';
import { REFRESH_COOKIE } from '../sessions/cookies.ts';

let provider: MockProvider;
let auth: Auth;
let tickets: Tickets;
let userEvents: EventCollector;

const person = (name: string) => {
  const id = crypto.randomUUID().slice(0, 8);
  return { sub: `oidc-${id}`, email: `${name.toLowerCase()}.${id}@example.test`, name };
};

beforeAll(async () => {
  provider = await startMockProvider();
  userEvents = await collectEvents(BROKERS, ['user.created']);
  auth = await startAuth({ OIDC_ISSUER: provider.issuer, OIDC_CLIENT_ID: 'syncro-web', OIDC_CLIENT_SECRET: 'shh', OIDC_NAME: 'Keycloak' });
  tickets = await startTickets({ trust: auth.trust });
});
afterAll(async () => {
  await tickets?.stop();
  await auth?.stop();
  await userEvents?.stop();
  await provider?.stop();
});

describe('OIDC login, end to end', () => {
  test('login → provider → callback → cookies → /auth/me → the Ticket Service creates a project', async () => {
    const ada = person('Ada');
    provider.as(ada);
    const b = browser();
    const { login, authorize, callback, done } = await loginThroughProvider(auth, b);

    expect(login.status).toBe(302);
    expect(authorize.origin + authorize.pathname).toBe(`${provider.issuer}/authorize`);
    expect(authorize.searchParams.get('client_id')).toBe('syncro-web');
    expect(authorize.searchParams.get('redirect_uri')).toBe(`${auth.url}/auth/oidc/callback`);
    expect(authorize.searchParams.get('code_challenge_method')).toBe('S256');
    expect(authorize.searchParams.get('code_challenge')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(authorize.searchParams.get('scope')).toBe('openid email profile');
    const state = authorize.searchParams.get('state')!;
    expect(state.length).toBeGreaterThanOrEqual(32);
    expect(authorize.searchParams.get('nonce')!.length).toBeGreaterThanOrEqual(32);
    const loginCookies = login.headers.getSetCookie();
    for (const name of ['sb_oauth_state', 'sb_oauth_verifier', 'sb_oauth_nonce']) {
      const line = loginCookies.find((c) => c.startsWith(`${name}=`))!;
      expect(line).toContain('HttpOnly');
      expect(line).toContain('SameSite=Lax');
      expect(line).toContain('Max-Age=600');
    }
    expect(callback.searchParams.get('state')).toBe(state);

    expect(done.status).toBe(302);
    expect(done.headers.get('location')).toBe(new URL('/board/SYNC', APP_URL).toString());
    const access = b.jar.get(ACCESS_COOKIE)!;
    expect(access.split('.')).toHaveLength(3);
    expect(b.jar.get(REFRESH_COOKIE)).toStartWith('sbr_');
    expect(b.jar.has('sb_oauth_state')).toBe(false); // one-shot: cleared by the callback

    const me = await b.go(`${auth.url}/auth/me`);
    expect(me.status).toBe(200);
    const user = (await me.json()) as { id: string; email: string; name: string };
    expect(user).toMatchObject({ email: ada.email, name: ada.name });

    // The Ticket Service knows nothing but the JWKS URL and the issuer, and trusts the user.
    const api = client(tickets.url, decodeURIComponent(access));
    const created = await api.post('/projects', { name: 'Ada’s project', key: randomKey() });
    expect(created.status).toBe(201);
    const members = await api.get(`/projects/${created.body.id}/members`);
    expect(members.body.members[0]).toMatchObject({ userId: user.id, role: 'owner' });
    // The browser's cookie works on the Ticket Service too (same site).
    const viaCookie = await fetch(`${tickets.url}/projects`, { headers: { cookie: `${ACCESS_COOKIE}=${access}` } });
    expect(viaCookie.status).toBe(200);
    expect(await (await fetch(`${auth.url}/metrics`)).text()).toMatch(/^auth_logins_total\{new_user="true",provider="oidc"\} [1-9]/m);
  });

  test('user.created announces a new user once (one eventId; a later login announces nothing), matching its contract', async () => {
    const grace = person('Grace');
    provider.as(grace);
    const first = browser();
    await loginThroughProvider(auth, first);
    const me = (await (await first.go(`${auth.url}/auth/me`)).json()) as { id: string };
    // The second login updates the profile and must not announce the user again.
    provider.as({ ...grace, name: 'Grace Hopper' });
    const again = browser();
    await loginThroughProvider(auth, again);
    expect(((await (await again.go(`${auth.url}/auth/me`)).json()) as { id: string; name: string })).toMatchObject({ id: me.id, name: 'Grace Hopper' });

    const mine = (await userEvents.waitFor((ms) => ms.some((m) => m.value?.userId === me.id))).filter((m) => m.value?.userId === me.id);
    await Bun.sleep(600); // a second event would have been relayed by now (poll interval 200 ms)
    expect(userEvents.messages.filter((m) => m.value?.userId === me.id)).toHaveLength(1);
    const [msg] = mine;
    expect(msg!.key).toBe(me.id);
    expect(msg!.headers['event-type']).toBe('user.created');
    const event = parseEnvelope('user.created', msg!.value);
    expect(event.success).toBe(true);
    expect(event.output).toMatchObject({ userId: me.id, email: grace.email, name: 'Grace', locale: 'en' });
  });

  test('GET /auth/providers lists the enabled providers', async () => {
    const res = await auth.api().get('/auth/providers');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ providers: [{ id: 'oidc', name: 'Keycloak', loginUrl: '/auth/oidc/login' }], devLogin: false });
    expect((await auth.api().get('/auth/google/login')).status).toBe(404);
    expect((await auth.api().post('/auth/dev/login', { email: 'x@example.test' })).status).toBe(404);
  });
});

describe('a tampered login round trip is refused', () => {
  const begin = async () => {
    provider.as(person('Mallory'));
    const b = browser();
    const login = await b.go(`${auth.url}/auth/oidc/login`);
    const consent = await fetch(login.headers.get('location')!, { redirect: 'manual' });
    return { b, callback: new URL(consent.headers.get('location')!) };
  };
  const expectRefused = async (res: Response, status: number, code: string, b: ReturnType<typeof browser>) => {
    expect(res.status).toBe(status);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe(code);
    expect(b.jar.has(ACCESS_COOKIE)).toBe(false);
  };

  test('tampered state', async () => {
    const { b, callback } = await begin();
    callback.searchParams.set('state', `${callback.searchParams.get('state')!.slice(0, -2)}xx`);
    await expectRefused(await b.go(callback.toString()), 400, 'OAUTH_STATE_MISMATCH', b);
  });

  test('a callback in a browser that never started the login (login CSRF)', async () => {
    const { callback } = await begin();
    const victim = browser();
    await expectRefused(await victim.go(callback.toString()), 400, 'OAUTH_STATE_MISSING', victim);
  });

  test('missing PKCE verifier', async () => {
    const { b, callback } = await begin();
    b.jar.delete('sb_oauth_verifier');
    await expectRefused(await b.go(callback.toString()), 400, 'PKCE_VERIFIER_MISSING', b);
  });

  test('missing nonce cookie', async () => {
    const { b, callback } = await begin();
    b.jar.delete('sb_oauth_nonce');
    await expectRefused(await b.go(callback.toString()), 400, 'OAUTH_NONCE_MISSING', b);
  });

  test('an ID token minted for another login (its nonce is not this browser’s)', async () => {
    const { b, callback } = await begin();
    b.jar.set('sb_oauth_nonce', 'x'.repeat(43));
    await expectRefused(await b.go(callback.toString()), 401, 'ID_TOKEN_INVALID', b);
  });

  test('a wrong PKCE verifier is refused by the provider', async () => {
    const { b, callback } = await begin();
    b.jar.set('sb_oauth_verifier', 'x'.repeat(64));
    const res = await b.go(callback.toString());
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(b.jar.has(ACCESS_COOKIE)).toBe(false);
  });

  test('the provider reports an error (the person declined)', async () => {
    const b = browser();
    await b.go(`${auth.url}/auth/oidc/login`);
    await expectRefused(await b.go(`${auth.url}/auth/oidc/callback?error=access_denied&state=x`), 400, 'OAUTH_DENIED', b);
  });

  const idTokenCases: [string, (p: MockProvider) => void | Promise<void>][] = [
    ['an ID token for another audience', (p) => p.tamperNextIdToken((t) => (t.aud = 'someone-else'))],
    ['an expired ID token', (p) => p.tamperNextIdToken((t) => (t.exp = Math.floor(Date.now() / 1000) - 3600))],
    ['an ID token from another issuer', (p) => p.tamperNextIdToken((t) => (t.iss = 'https://evil.example'))],
    ['an unverified email', (p) => p.tamperNextIdToken((t) => (t.email_verified = false))],
    [
      'an ID token forged with another key',
      async (p) => {
        const { privateKey } = await generateKeyPair('RS256');
        const kid = p.server.issuer.keys.toJSON()[0]!.kid!;
        const forged = await new SignJWT({ email: 'mallory@example.test', email_verified: true, name: 'Mallory' })
          .setProtectedHeader({ alg: 'RS256', kid })
          .setSubject('mallory')
          .setIssuer(p.issuer)
          .setAudience('syncro-web')
          .setExpirationTime('5m')
          .sign(privateKey);
        p.replaceNextIdToken(forged);
      },
    ],
    [
      'an alg:none ID token',
      (p) => {
        const header = base64url.encode(JSON.stringify({ alg: 'none', typ: 'JWT' }));
        const claims = base64url.encode(
          JSON.stringify({ sub: 'mallory', email: 'mallory@example.test', email_verified: true, iss: p.issuer, aud: 'syncro-web', exp: Math.floor(Date.now() / 1000) + 300 }),
        );
        p.replaceNextIdToken(`${header}.${claims}.`);
      },
    ],
  ];
  for (const [name, tamper] of idTokenCases) {
    test(name, async () => {
      const { b, callback } = await begin();
      await tamper(provider);
      await expectRefused(await b.go(callback.toString()), 401, 'ID_TOKEN_INVALID', b);
    });
  }
});

describe('an OIDC issuer that is down', () => {
  test('login answers 502 naming the issuer, and auth itself stays healthy', async () => {
    const gone = await startMockProvider();
    const issuer = gone.issuer;
    await gone.stop();
    const lonely = await startAuth({ OIDC_ISSUER: issuer, OIDC_CLIENT_ID: 'syncro-web' });
    try {
      const res = await lonely.api().get('/auth/oidc/login');
      expect(res.status).toBe(502);
      expect(res.body.error.code).toBe('PROVIDER_UNAVAILABLE');
      expect(res.body.error.message).toContain(issuer);
      expect((await lonely.api().get('/health')).status).toBe(200);
    } finally {
      await lonely.stop();
    }
  });
});

describe('sign-in limited to email domains (AUTH_ALLOWED_EMAIL_DOMAINS)', () => {
  test('an address outside the allowed domains gets 403 and no session, from the provider and the dev login alike', async () => {
    const limited = await startAuth({ OIDC_ISSUER: provider.issuer, OIDC_CLIENT_ID: 'syncro-web', AUTH_DEV_LOGIN: '1', AUTH_ALLOWED_EMAIL_DOMAINS: 'example.test, @corp.test' });
    try {
      provider.as({ sub: `outsider-${crypto.randomUUID()}`, email: 'someone@gmail.test', name: 'Outsider' });
      const b = browser();
      const { done } = await loginThroughProvider(limited, b);
      expect(done.status).toBe(403);
      expect(((await done.json()) as { error: { code: string } }).error.code).toBe('EMAIL_DOMAIN_NOT_ALLOWED');
      expect(b.jar.has(ACCESS_COOKIE)).toBe(false);

      provider.as({ sub: `insider-${crypto.randomUUID()}`, email: 'dev@corp.test', name: 'Insider' });
      const ok = browser();
      expect((await loginThroughProvider(limited, ok)).done.status).toBe(302);
      expect(ok.jar.has(ACCESS_COOKIE)).toBe(true);

      expect((await limited.api().post('/auth/dev/login', { email: 'x@other.test' })).status).toBe(403);
      expect((await limited.api().post('/auth/dev/login', { email: 'x@example.test' })).status).toBe(200);
    } finally {
      await limited.stop();
    }
  });
});
