/** @module Routes of a session: who am I, refresh (rotating), logout (revokes the family). */
import { authGuard, refuseCrossSiteCookie } from '@syncro/kit/auth';
import { HttpError } from '@syncro/kit/http';
import { eq } from 'drizzle-orm';
import { Elysia } from 'elysia';
import * as v from 'valibot';
import type { AuthDeps } from '../context.ts';
import { presentSession, presentUser } from '../users/userPresenter.ts';
import { users } from '../users/users.model.ts';
import { REFRESH_COOKIE, clearSessionCookies, cookieOrigins, readCookie, sessionCookies, withCookies } from './cookies.ts';
import { endSession, refreshSession } from './sessionRefresher.ts';
import { ErrorBody, NoBody, SessionBody, UserBody } from '../responses.schema.ts';

const RefreshToken = v.pipe(v.string(), v.minLength(1, 'must not be empty'), v.maxLength(200));
/** API clients send the token in the body; browsers send nothing and the cookie is used. */
const RefreshBody = v.optional(v.nullable(v.strictObject({ refreshToken: v.optional(RefreshToken) })));

export const sessionRoutes = (deps: AuthDeps) => {
  const origins = cookieOrigins(deps.config);
  const allowed = new Set(origins);
  /** The refresh token in the body, else the cookie, which another site could make the browser send (CSRF). */
  const presentedRefresh = (body: v.InferOutput<typeof RefreshBody>, request: Request) => {
    if (body?.refreshToken) return body.refreshToken;
    const fromCookie = readCookie(request.headers, REFRESH_COOKIE);
    if (fromCookie) refuseCrossSiteCookie(request, allowed);
    return fromCookie;
  };
  return new Elysia({ name: 'auth.session' })
    .post(
      '/auth/refresh',
      async ({ body, request }) => {
        const fromBody = body?.refreshToken;
        const presented = presentedRefresh(body, request);
        if (!presented) throw new HttpError(401, 'REFRESH_TOKEN_MISSING', `Send { "refreshToken" } or the ${REFRESH_COOKIE} cookie`);
        const session = await refreshSession(deps, presented);
        const res = Response.json(presentSession(session, Boolean(fromBody)), { headers: { 'cache-control': 'no-store' } });
        return fromBody ? res : withCookies(res, sessionCookies(deps.config, session));
      },
      { body: RefreshBody, response: { 200: SessionBody, 401: ErrorBody, 403: ErrorBody, 422: ErrorBody }, detail: { summary: 'Spend a refresh token for a new access token and a new refresh token', tags: ['auth'] } },
    )
    .post(
      '/auth/logout',
      async ({ body, request }) => {
        await endSession(deps, presentedRefresh(body, request));
        return withCookies(new Response(null, { status: 204 }), clearSessionCookies(deps.config));
      },
      { body: RefreshBody, response: { 204: NoBody, 403: ErrorBody, 422: ErrorBody }, detail: { summary: 'Revoke the session (its refresh-token family) and clear the cookies', tags: ['auth'] } },
    )
    .use(authGuard(deps.verify, { seed: 'auth', allowedOrigins: origins }))
    .get(
      '/auth/me',
      async ({ user }) => {
        const [row] = await deps.db.select().from(users).where(eq(users.id, user.id));
        if (!row) throw new HttpError(401, 'UNAUTHORIZED', 'The user of this token no longer exists');
        return presentUser(row);
      },
      { response: { 200: UserBody, 401: ErrorBody }, detail: { summary: 'The signed-in user', tags: ['auth'] } },
    );
};
