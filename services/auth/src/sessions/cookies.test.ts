import { describe, expect, test } from 'bun:test';
import { loadAuthConfig } from '../config.ts';
import { readCookie, sessionCookies } from './cookies.ts';

const session = { accessToken: 'a.b.c', expiresIn: 900, refreshToken: 'sbr_x', refreshExpiresIn: 86_400 };

describe('session cookies', () => {
  test('HttpOnly and SameSite=Lax always; Secure outside localhost', () => {
    const local = sessionCookies(loadAuthConfig({ PUBLIC_URL: 'http://localhost:3001' }), session);
    const hosted = sessionCookies(loadAuthConfig({ PUBLIC_URL: 'https://board.example.com' }), session);
    for (const line of [...local, ...hosted]) {
      expect(line).toContain('HttpOnly');
      expect(line).toContain('SameSite=Lax');
    }
    expect(local.some((l) => l.includes('Secure'))).toBe(false);
    expect(hosted.every((l) => l.endsWith('; Secure'))).toBe(true);
    expect(hosted[0]).toStartWith('sb_access=a.b.c; Max-Age=900; Path=/;');
    expect(hosted[1]).toStartWith('sb_refresh=sbr_x; Max-Age=86400; Path=/auth;');
  });

  test('reads one cookie among several, decoding it', () => {
    const headers = new Headers({ cookie: 'theme=dark; sb_refresh=sbr_a%2Bb; other=1' });
    expect(readCookie(headers, 'sb_refresh')).toBe('sbr_a+b');
    expect(readCookie(headers, 'missing')).toBeNull();
  });
});
