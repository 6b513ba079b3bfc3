import { describe, expect, test } from 'bun:test';
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
      loadAuthConfig({ PUBLIC_URL: 'not a url', GOOGLE_CLIENT_ID: 'id', OIDC_CLIENT_ID: 'x', AUTH_DEV_LOGIN: 'yes' });
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toContain('PUBLIC_URL');
    expect(message).toContain('AUTH_DEV_LOGIN');
    // Cross-field problems are reported once the fields themselves parse.
    expect(() => loadAuthConfig({ GOOGLE_CLIENT_ID: 'id', OIDC_CLIENT_ID: 'x' })).toThrow(/GOOGLE_CLIENT_ID and GOOGLE_CLIENT_SECRET[\s\S]*OIDC_ISSUER is missing/);
  });
});
