/**
 * Google login: the authorization URL arctic's Google provider builds (production endpoints), and
 * the whole flow with Google's authorization, token and JWKS endpoints served by a local provider
 * through the configurable URLs, next to a generic OIDC issuer enabled at the same time.
 */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { ACCESS_COOKIE } from '@syncro/kit/auth';
import { createS256CodeChallenge } from 'arctic/dist/oauth2.js';
import { loadAuthConfig } from '../config.ts';
import { browser, loginThroughProvider, startAuth, startMockProvider, type Auth, type MockProvider } from '@syncro/auth/harness';
import { GOOGLE_SCOPES, googleProvider } from './google.ts';

describe('Google with its production endpoints', () => {
  test('the authorization URL asks for openid email profile with PKCE S256, state and nonce', async () => {
    const config = loadAuthConfig({ GOOGLE_CLIENT_ID: 'client.apps.googleusercontent.com', GOOGLE_CLIENT_SECRET: 's' });
    const google = googleProvider(config, 'https://board.example.com/auth/google/callback');
    const url = await google.authorizationUrl('state-123', 'verifier-'.padEnd(50, 'x'), 'nonce-456');
    expect(url.origin + url.pathname).toBe('https://accounts.google.com/o/oauth2/v2/auth');
    expect(Object.fromEntries(url.searchParams)).toEqual({
      response_type: 'code',
      client_id: 'client.apps.googleusercontent.com',
      redirect_uri: 'https://board.example.com/auth/google/callback',
      state: 'state-123',
      code_challenge_method: 'S256',
      code_challenge: createS256CodeChallenge('verifier-'.padEnd(50, 'x')),
      scope: 'openid email profile',
      nonce: 'nonce-456',
    });
    expect(GOOGLE_SCOPES).toEqual(['openid', 'email', 'profile']);
  });
});

describe('Google and a generic OIDC issuer enabled together', () => {
  let google: MockProvider;
  let oidc: MockProvider;
  let auth: Auth;

  beforeAll(async () => {
    google = await startMockProvider();
    oidc = await startMockProvider();
    auth = await startAuth({
      GOOGLE_CLIENT_ID: 'client.apps.googleusercontent.com',
      GOOGLE_CLIENT_SECRET: 'google-secret',
      GOOGLE_AUTHORIZATION_URL: `${google.issuer}/authorize`,
      GOOGLE_TOKEN_URL: `${google.issuer}/token`,
      GOOGLE_JWKS_URL: `${google.issuer}/jwks`,
      GOOGLE_ISSUER: google.issuer,
      OIDC_ISSUER: oidc.issuer,
      OIDC_CLIENT_ID: 'syncro',
      OIDC_NAME: 'Authentik',
    });
  });
  afterAll(async () => {
    await auth?.stop();
    await google?.stop();
    await oidc?.stop();
  });

  test('GET /auth/providers lists both', async () => {
    const res = await auth.api().get('/auth/providers');
    expect(res.body.providers).toEqual([
      { id: 'google', name: 'Google', loginUrl: '/auth/google/login' },
      { id: 'oidc', name: 'Authentik', loginUrl: '/auth/oidc/login' },
    ]);
  });

  test('a Google login verifies the ID token against the JWKS and signs the person in', async () => {
    const person = { sub: `g-${crypto.randomUUID()}`, email: `kat.${crypto.randomUUID().slice(0, 6)}@gmail.test`, name: 'Katherine', locale: 'fr-FR' };
    google.as(person);
    const b = browser();
    const { authorize, done } = await loginThroughProvider(auth, b, 'google', '/');
    expect(authorize.searchParams.get('scope')).toBe('openid email profile');
    expect(authorize.searchParams.get('code_challenge_method')).toBe('S256');
    expect(done.status).toBe(302);
    expect(b.jar.has(ACCESS_COOKIE)).toBe(true);
    const me = (await (await b.go(`${auth.url}/auth/me`)).json()) as Record<string, unknown>;
    expect(me).toMatchObject({ email: person.email, name: 'Katherine', locale: 'fr-FR' });

    // The same address through the other provider is the same person (both verified it).
    oidc.as({ sub: 'someone-at-authentik', email: person.email, name: 'Kat J.' });
    const b2 = browser();
    await loginThroughProvider(auth, b2, 'oidc');
    expect(((await (await b2.go(`${auth.url}/auth/me`)).json()) as { id: string }).id).toBe(me.id as string);
  });

  test('Google checks: unverified email, token for another client, wrong issuer', async () => {
    const edits: ((t: Record<string, unknown>) => void)[] = [(t) => (t.email_verified = false), (t) => (t.aud = 'other.apps.googleusercontent.com'), (t) => (t.iss = 'https://accounts.evil.example')];
    for (const edit of edits) {
      google.as({ sub: `g-${crypto.randomUUID()}`, email: `x.${crypto.randomUUID().slice(0, 6)}@gmail.test`, name: 'X' });
      google.tamperNextIdToken(edit);
      const b = browser();
      const { done } = await loginThroughProvider(auth, b, 'google');
      expect(done.status).toBe(401);
      expect(((await done.json()) as { error: { code: string } }).error.code).toBe('ID_TOKEN_INVALID');
      expect(b.jar.has(ACCESS_COOKIE)).toBe(false);
    }
  });
});
