/**
 * @module Routes of the browser login: `/auth/providers`, `/auth/{provider}/login` (state, PKCE
 * verifier and nonce into short-lived HttpOnly cookies, redirect to the provider) and the callback
 * (check state, exchange the code with the verifier, check the ID token's nonce, sign in, session
 * cookies, redirect to the board).
 */
import { HttpError } from '@syncro/kit/http';
import { NotFound } from '@syncro/kit/errors';
import { generateCodeVerifier, generateState } from 'arctic';
import { timingSafeEqual } from 'node:crypto';
import { Elysia } from 'elysia';
import * as v from 'valibot';
import type { AuthDeps } from '../context.ts';
import { OAUTH_COOKIES, OAUTH_COOKIE_TTL_S, readCookie, secureCookies, serializeCookie, sessionCookies, withCookies } from '../sessions/cookies.ts';
import { startSession } from '../sessions/sessionIssuer.ts';
import { signIn } from '../users/userSignIn.ts';
import { loginTarget, sameOriginTarget } from './redirectTarget.ts';
import { ErrorBody, NoBody, ProvidersBody } from '../responses.schema.ts';

const ProviderParams = v.object({ provider: v.pipe(v.string(), v.maxLength(40)) });
const LoginQuery = v.object({ redirect: v.optional(v.pipe(v.string(), v.maxLength(2000))) });
const CallbackQuery = v.looseObject({
  code: v.optional(v.pipe(v.string(), v.maxLength(4096))),
  state: v.optional(v.pipe(v.string(), v.maxLength(512))),
  error: v.optional(v.pipe(v.string(), v.maxLength(200))),
  error_description: v.optional(v.pipe(v.string(), v.maxLength(2000))),
});

const oauthError = (code: string, message: string) => new HttpError(400, code, message);


const sameText = (a: string, b: string) => a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b));

export const loginRoutes = (deps: AuthDeps) => {
  const provider = (id: string) => {
    const p = deps.providers.get(id);
    if (!p) throw new NotFound(`Login provider "${id}" (enabled: ${[...deps.providers.keys()].join(', ') || 'none'})`);
    return p;
  };
  const secure = secureCookies(deps.config);
  const oauthCookie = (name: string, value: string, maxAge = OAUTH_COOKIE_TTL_S) => serializeCookie(name, value, { maxAge, path: '/auth', secure });
  const clearOauth = Object.values(OAUTH_COOKIES).map((n) => oauthCookie(n, '', 0));
  const logins = deps.metrics.counter('auth_logins_total', 'Completed browser logins, by provider and whether the user was new');

  return new Elysia({ name: 'auth.login' })
    .get(
      '/auth/providers',
      () => ({
        providers: [...deps.providers.values()].map((p) => ({ id: p.id, name: p.name, loginUrl: `/auth/${p.id}/login` })),
        devLogin: deps.config.devLogin,
      }),
      { response: { 200: ProvidersBody }, detail: { summary: 'The enabled login providers, for the login page', tags: ['auth'] } },
    )
    .get(
      '/auth/:provider/login',
      async ({ params, query }) => {
        const p = provider(params.provider);
        const state = generateState();
        const verifier = generateCodeVerifier();
        const nonce = generateState();
        const url = await p.authorizationUrl(state, verifier, nonce);
        return withCookies(new Response(null, { status: 302, headers: { location: url.toString(), 'cache-control': 'no-store' } }), [
          oauthCookie(OAUTH_COOKIES.state, state),
          oauthCookie(OAUTH_COOKIES.verifier, verifier),
          oauthCookie(OAUTH_COOKIES.nonce, nonce),
          oauthCookie(OAUTH_COOKIES.redirect, sameOriginTarget(query.redirect, deps.config.APP_URL) ?? ''),
        ]);
      },
      { params: ProviderParams, query: LoginQuery, response: { 302: NoBody, 404: ErrorBody, 502: ErrorBody }, detail: { summary: 'Start a login: redirects to the provider with state and PKCE (S256)', tags: ['auth'] } },
    )
    .get(
      '/auth/:provider/callback',
      async ({ params, query, request }) => {
        const p = provider(params.provider);
        if (query.error) throw oauthError('OAUTH_DENIED', `The provider refused the login: ${query.error}${query.error_description ? ` (${query.error_description})` : ''}`);
        if (!query.code) throw oauthError('VALIDATION_FAILED', 'query.code: the provider sent no authorization code');
        if (!query.state) throw oauthError('VALIDATION_FAILED', 'query.state: the provider sent no state');
        const expected = readCookie(request.headers, OAUTH_COOKIES.state);
        if (!expected) throw oauthError('OAUTH_STATE_MISSING', 'No login is in progress in this browser (the state cookie is missing or expired); start again');
        // Forged or replayed callbacks (login CSRF) fail here: the state must be the one this browser was given.
        if (!sameText(expected, query.state)) throw oauthError('OAUTH_STATE_MISMATCH', 'The state does not match the login this browser started');
        const verifier = readCookie(request.headers, OAUTH_COOKIES.verifier);
        if (!verifier) throw oauthError('PKCE_VERIFIER_MISSING', 'The PKCE code verifier cookie is missing; start the login again');

        const nonce = readCookie(request.headers, OAUTH_COOKIES.nonce);
        if (!nonce) throw oauthError('OAUTH_NONCE_MISSING', 'The login nonce cookie is missing; start the login again');

        const identity = await p.identify(query.code, verifier, nonce);
        const { user, created } = await signIn(deps, identity);
        logins.inc({ provider: p.id, new_user: String(created) });
        const session = await startSession(deps, user);
        deps.logger.info('login', { provider: p.id, userId: user.id });
        // Checked again here: the cookie is the browser's to change, and the check is cheap.
        const location = loginTarget(readCookie(request.headers, OAUTH_COOKIES.redirect), deps.config.APP_URL);
        return withCookies(new Response(null, { status: 302, headers: { location, 'cache-control': 'no-store' } }), [
          ...clearOauth,
          ...sessionCookies(deps.config, session),
        ]);
      },
      { params: ProviderParams, query: CallbackQuery, response: { 302: NoBody, 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody, 502: ErrorBody }, detail: { summary: 'The provider returns here; sets the session cookies and redirects to the board', tags: ['auth'] } },
    );
};
