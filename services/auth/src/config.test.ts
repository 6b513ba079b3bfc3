import { describe, expect, test } from 'bun:test';
import { runToExit } from '@syncro/testing/process';
import { loadAuthConfig } from './config.ts';

describe('auth configuration', () => {
  test('defaults: port 3001, audience syncroboard, issuer = PUBLIC_URL, dev login off, 15-minute tokens', () => {
    const c = loadAuthConfig({});
    expect(c).toMatchObject({ PORT: 3001, AUTH_AUDIENCE: 'syncroboard', AUTH_ISSUER: 'http://127.0.0.1:3001', devLogin: false, ACCESS_TOKEN_TTL_S: 900 });
  });

  test('the development login is refused in production, and production needs a signing key', () => {
    expect(() => loadAuthConfig({ AUTH_DEV_LOGIN: '1', NODE_ENV: 'production', SIGNING_KEY: '{}' })).toThrow('AUTH_DEV_LOGIN=1 is refused when NODE_ENV=production');
    expect(() => loadAuthConfig({ NODE_ENV: 'production' })).toThrow('SIGNING_KEY');
    expect(loadAuthConfig({ AUTH_DEV_LOGIN: '1' }).devLogin).toBe(true);
  });

  test('every bad variable is named', () => {
    let message = '';
    try {
      loadAuthConfig({ PUBLIC_URL: 'not a url', GOOGLE_CLIENT_ID: 'id', OIDC_CLIENT_ID: 'x', AUTH_DEV_LOGIN: 'yes', AUTH_ALLOWED_EMAIL_DOMAINS: 'example.com,not a domain' });
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toContain('PUBLIC_URL');
    expect(message).toContain('AUTH_DEV_LOGIN');
    expect(message).toContain('AUTH_ALLOWED_EMAIL_DOMAINS');
    // Cross-field problems are reported once the fields themselves parse.
    expect(() => loadAuthConfig({ GOOGLE_CLIENT_ID: 'id', OIDC_CLIENT_ID: 'x' })).toThrow(/GOOGLE_CLIENT_ID and GOOGLE_CLIENT_SECRET[\s\S]*OIDC_ISSUER is missing/);
  });

  test('the process refuses to start in production with the development login, naming why', async () => {
    const { code, stderr } = await runToExit(new URL('./main.ts', import.meta.url), { NODE_ENV: 'production', AUTH_DEV_LOGIN: '1', PORT: 'x' });
    expect(code).toBe(1);
    expect(stderr).toContain('PORT = "x" is invalid');
    // Field errors first; once they are fixed, the production rules are reported.
    const second = await runToExit(new URL('./main.ts', import.meta.url), { NODE_ENV: 'production', AUTH_DEV_LOGIN: '1' });
    expect(second.code).toBe(1);
    expect(second.stderr).toContain('AUTH_DEV_LOGIN=1 is refused when NODE_ENV=production');
    expect(second.stderr).toContain('SIGNING_KEY (or SIGNING_KEY_FILE) is required');
  });

  test('ALLOWED_ORIGINS become origins, TRUST_PROXY a flag; a bad origin is named', () => {
    const c = loadAuthConfig({ ALLOWED_ORIGINS: 'https://board.example.com/app, http://127.0.0.1:5173', TRUST_PROXY: '1' });
    expect(c.ALLOWED_ORIGINS).toEqual(['https://board.example.com', 'http://127.0.0.1:5173']);
    expect(c.trustProxy).toBe(true);
    expect(loadAuthConfig({}).trustProxy).toBe(false);
    expect(() => loadAuthConfig({ ALLOWED_ORIGINS: 'board.example.com' })).toThrow('ALLOWED_ORIGINS');
  });
});
