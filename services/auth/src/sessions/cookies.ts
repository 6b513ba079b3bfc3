/**
 * @module The browser session's cookies. All are HttpOnly (scripts never see a token) and
 * SameSite=Lax (sent on top-level navigation back from the provider, not on cross-site POSTs);
 * Secure everywhere but localhost, where browsers allow plain http for development.
 */
import { ACCESS_COOKIE } from '@syncro/kit/auth';
import type { AuthConfig } from '../config.ts';

export const REFRESH_COOKIE = 'sb_refresh';
export const OAUTH_COOKIES = { state: 'sb_oauth_state', verifier: 'sb_oauth_verifier', nonce: 'sb_oauth_nonce', redirect: 'sb_oauth_redirect' } as const;
/** The login round trip must finish within this (seconds). */
export const OAUTH_COOKIE_TTL_S = 600;

interface CookieOptions {
  maxAge: number;
  path: string;
  secure: boolean;
}

const LOCAL_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);
export const secureCookies = (config: Pick<AuthConfig, 'PUBLIC_URL'>) => !LOCAL_HOSTS.has(new URL(config.PUBLIC_URL).hostname);

export function serializeCookie(name: string, value: string, { maxAge, path, secure }: CookieOptions) {
  return [`${name}=${encodeURIComponent(value)}`, `Max-Age=${maxAge}`, `Path=${path}`, 'HttpOnly', 'SameSite=Lax', ...(secure ? ['Secure'] : [])].join('; ');
}

/** The cookie's value; null when absent or not valid percent-encoding (the browser's to send, so a broken one is as good as none). */
export function readCookie(headers: Headers, name: string): string | null {
  for (const part of (headers.get('cookie') ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) {
      try {
        return decodeURIComponent(part.slice(eq + 1).trim());
      } catch {
        return null;
      }
    }
  }
  return null;
}

/** Set-Cookie lines for a session; the refresh cookie only travels to /auth, where it is spent. */
export function sessionCookies(config: AuthConfig, session: { accessToken: string; expiresIn: number; refreshToken: string; refreshExpiresIn: number }) {
  const secure = secureCookies(config);
  return [
    serializeCookie(ACCESS_COOKIE, session.accessToken, { maxAge: session.expiresIn, path: '/', secure }),
    serializeCookie(REFRESH_COOKIE, session.refreshToken, { maxAge: session.refreshExpiresIn, path: '/auth', secure }),
  ];
}

/** Who may send writes with our cookies besides ourselves: the app we send people to after login, and ALLOWED_ORIGINS. */
export const cookieOrigins = (config: Pick<AuthConfig, 'APP_URL' | 'ALLOWED_ORIGINS'>) => [new URL(config.APP_URL).origin, ...config.ALLOWED_ORIGINS];

export function clearSessionCookies(config: AuthConfig) {
  const secure = secureCookies(config);
  return [serializeCookie(ACCESS_COOKIE, '', { maxAge: 0, path: '/', secure }), serializeCookie(REFRESH_COOKIE, '', { maxAge: 0, path: '/auth', secure })];
}

/** A response carrying several Set-Cookie headers (a plain headers record can hold only one). */
export function withCookies(response: Response, cookies: string[]) {
  for (const c of cookies) response.headers.append('set-cookie', c);
  return response;
}
