/**
 * @module Verifies the ES256 access JWTs that the Auth Service signs. Every service but auth only
 * verifies: it fetches the JWKS at `JWKS_URL` and trusts `AUTH_ISSUER`/`AUTH_AUDIENCE`, never a secret.
 */
import { Elysia } from 'elysia';
import { createRemoteJWKSet, errors, jwtVerify, type JWTVerifyGetKey } from 'jose';
import * as v from 'valibot';
import { HttpError } from '../http/errors.ts';

export interface AuthUser {
  id: string;
  email: string;
  name: string;
}

/** The browser session cookie that the Auth Service sets (HttpOnly). */
export const ACCESS_COOKIE = 'sb_access';

const Claims = v.object({
  sub: v.pipe(v.string(), v.uuid('sub must be a user UUID')),
  email: v.pipe(v.string(), v.email()),
  name: v.string(),
});

export interface VerifierOptions {
  jwksUrl: string;
  issuer: string;
  audience: string;
  /** Injected key resolver (tests, or auth verifying its own tokens without HTTP). */
  keys?: JWTVerifyGetKey;
}

export type TokenVerifier = (token: string) => Promise<AuthUser>;

export class TokenError extends HttpError {
  constructor(code: 'TOKEN_EXPIRED' | 'TOKEN_INVALID', message: string) {
    super(401, code, message);
  }
}

/** Verified tokens remembered by their exact text until they expire: an ES256 check per request costs more than the board. */
const VERIFIED_CACHE_MAX = 10_000;

export function createTokenVerifier({ jwksUrl, issuer, audience, keys }: VerifierOptions): TokenVerifier {
  // jose caches the key set and refetches on an unknown `kid`, which is how key rotation reaches us.
  // The cooldown bounds both how long a just-rotated key can be refused and how often forged kids
  // can make us refetch: 5 s keeps both small.
  const jwks = keys ?? createRemoteJWKSet(new URL(jwksUrl), { timeoutDuration: 3000, cooldownDuration: 5_000 });
  const verified = new Map<string, { user: AuthUser; expiresAt: number }>();
  return async (token) => {
    const known = verified.get(token);
    if (known && known.expiresAt > Date.now()) return known.user;
    try {
      // A token without `exp` would never expire, and one without `iat` cannot be dated: ours always carry both.
      const { payload } = await jwtVerify(token, jwks, { issuer, audience, algorithms: ['ES256'], requiredClaims: ['exp', 'iat'] });
      const claims = v.parse(Claims, payload);
      const user = { id: claims.sub, email: claims.email, name: claims.name };
      if (verified.size >= VERIFIED_CACHE_MAX) verified.delete(verified.keys().next().value!);
      verified.set(token, { user, expiresAt: payload.exp! * 1000 });
      return user;
    } catch (err) {
      if (err instanceof errors.JWTExpired) throw new TokenError('TOKEN_EXPIRED', 'The access token has expired');
      if (err instanceof errors.JWKSTimeout || err instanceof errors.JWKSInvalid) {
        throw new HttpError(503, 'AUTH_UNAVAILABLE', `Cannot fetch the signing keys: ${err.message}`);
      }
      if (err instanceof errors.JOSEError || err instanceof v.ValiError) {
        throw new TokenError('TOKEN_INVALID', `The access token is not valid: ${err.message}`);
      }
      // The key set could not be fetched: our problem, not the caller's, and worth retrying.
      throw new HttpError(503, 'AUTH_UNAVAILABLE', `Cannot verify tokens right now: ${(err as Error).message}`);
    }
  };
}

/** The bearer token, else the session cookie; null when the request carries neither. */
export function tokenFrom(headers: Headers): string | null {
  return credentialFrom(headers)?.token ?? null;
}

export interface Credential {
  token: string;
  /** Cookies ride along on cross-site requests by themselves; a bearer header never does. */
  via: 'bearer' | 'cookie';
}

export function credentialFrom(headers: Headers): Credential | null {
  const auth = headers.get('authorization');
  if (auth) {
    const [scheme, token] = auth.split(' ');
    if (scheme?.toLowerCase() === 'bearer' && token) return { token, via: 'bearer' };
    throw new TokenError('TOKEN_INVALID', 'The Authorization header must be "Bearer <token>"');
  }
  const cookies = headers.get('cookie');
  if (!cookies) return null;
  for (const part of cookies.split(';')) {
    const [name, ...rest] = part.trim().split('=');
    if (name !== ACCESS_COOKIE) continue;
    try {
      return { token: decodeURIComponent(rest.join('=')), via: 'cookie' };
    } catch {
      throw new TokenError('TOKEN_INVALID', `The ${ACCESS_COOKIE} cookie is not valid percent-encoding`);
    }
  }
  return null;
}

/** Methods that must not change anything, so a cross-site request with them is harmless. */
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** `ALLOWED_ORIGINS` (comma-separated, e.g. `https://board.example.com`): the web app's origins when it is served apart from the API. */
export function allowedOriginsFromEnv(source: Record<string, string | undefined> = process.env): string[] {
  return (source.ALLOWED_ORIGINS ?? '')
    .split(',')
    .map((o) => o.trim())
    .filter(Boolean)
    .map((o) => {
      const url = URL.parse(o);
      if (!url || !/^https?:$/.test(url.protocol)) throw new Error(`ALLOWED_ORIGINS: "${o}" is not an origin like https://board.example.com`);
      return url.origin;
    });
}

const ownOrigin = (request: Request, origin: string) =>
  // The request URL's origin, or (behind a TLS-terminating proxy, where Bun sees http) the Host it was sent to.
  new URL(request.url).origin === origin || (request.headers.has('host') && URL.parse(origin)?.host === request.headers.get('host'));

/**
 * CSRF: browsers attach cookies to requests that other sites make, so a state-changing request
 * authenticated by cookie must show that our own page (or an allowed one) sent it. Per the Fetch
 * standard a browser sends `Origin` on every request whose method is not GET or HEAD, so it is the
 * check; `Sec-Fetch-Site: same-origin` vouches when `Origin` is missing. A request with neither is
 * no browser's: a script can set any `Origin` it likes, and it holds the cookie itself, so there is
 * no victim to protect. Bearer requests never need this: nothing attaches them by itself.
 */
export function refuseCrossSiteCookie(request: Request, allowedOrigins: ReadonlySet<string>): void {
  if (SAFE_METHODS.has(request.method)) return;
  const origin = request.headers.get('origin');
  if (origin === null) {
    const site = request.headers.get('sec-fetch-site');
    if (site === null || site === 'same-origin') return;
    throw new HttpError(403, 'CSRF_REFUSED', `A ${request.method} authenticated by cookie must come from this site (Sec-Fetch-Site: ${site}, no Origin)`, { origin: null, secFetchSite: site });
  }
  if (ownOrigin(request, origin) || allowedOrigins.has(origin)) return;
  throw new HttpError(403, 'CSRF_REFUSED', `A ${request.method} authenticated by cookie is not accepted from origin ${origin}; send a Bearer token, or add the origin to ALLOWED_ORIGINS`, { origin });
}

export interface AuthGuardOptions {
  /** Deduplicates the plugin per service (`new Elysia({ name, seed })`). */
  seed?: string;
  /** Origins besides the request's own whose cookie-authenticated writes are accepted; default: `ALLOWED_ORIGINS`. */
  allowedOrigins?: string[];
}

/**
 * Resolves `user` for every route registered after it in the plugin that uses it. Scoped, so a
 * service's routes are guarded while `/health` and `/metrics` on the root stay open. Writes that
 * ride on the session cookie must pass the CSRF origin check (`refuseCrossSiteCookie`).
 */
export function authGuard(verify: TokenVerifier, options: string | AuthGuardOptions = {}) {
  const { seed = 'default', allowedOrigins = allowedOriginsFromEnv() } = typeof options === 'string' ? { seed: options } : options;
  const allowed = new Set(allowedOrigins.map((o) => new URL(o).origin));
  // Reads the raw request headers: a route's headers schema may have stripped Authorization.
  return new Elysia({ name: 'auth.guard', seed }).resolve({ as: 'scoped' }, async ({ request }) => {
    const credential = credentialFrom(request.headers);
    if (!credential) throw new HttpError(401, 'UNAUTHORIZED', 'A valid access token is required');
    if (credential.via === 'cookie') refuseCrossSiteCookie(request, allowed);
    return { user: await verify(credential.token) };
  });
}

export interface WsGuardOptions {
  /** Origins (`https://board.example.com`) besides the server's own that may open sockets with the cookie. */
  allowedOrigins?: string[];
  seed?: string;
}

/**
 * Guards Elysia `.ws()` routes at the upgrade: the same token rules as HTTP (Bearer header for
 * programs, the session cookie for same-origin browsers), and a refused upgrade is a 401/403 JSON
 * response, never a socket. Browsers send cookies on cross-site WebSocket handshakes (there is no
 * CORS for them), so a cookie-authenticated upgrade must come from our own origin or an allowed one.
 * The resolved `user` reaches every socket handler as `ws.data.user`.
 */
export function wsGuard(verify: TokenVerifier, { allowedOrigins = [], seed = 'default' }: WsGuardOptions = {}) {
  const allowed = new Set(allowedOrigins.map((o) => new URL(o).origin));
  return new Elysia({ name: 'auth.ws-guard', seed }).resolve({ as: 'scoped' }, async ({ request }) => {
    const credential = credentialFrom(request.headers);
    if (!credential) throw new HttpError(401, 'UNAUTHORIZED', 'A valid access token is required to open this socket');
    if (credential.via === 'cookie') {
      const origin = request.headers.get('origin');
      const host = request.headers.get('host');
      const sameOrigin = origin !== null && host !== null && URL.parse(origin)?.host === host;
      if (origin !== null && !sameOrigin && !allowed.has(origin)) {
        throw new HttpError(403, 'ORIGIN_REFUSED', `Sockets authenticated by cookie may not be opened from ${origin}`);
      }
    }
    return { user: await verify(credential.token) };
  });
}
