/**
 * @module The development login: `POST /auth/dev/login { email, name }` signs anyone in without a
 * password. Mounted only when AUTH_DEV_LOGIN=1, which configuration refuses under NODE_ENV=production.
 */
import { clientAddress, inProcessRateLimiter, takeOrThrow } from '@syncro/kit/ratelimit';
import { Elysia } from 'elysia';
import * as v from 'valibot';
import type { AuthDeps } from '../context.ts';
import { sessionCookies, withCookies } from '../sessions/cookies.ts';
import { startSession } from '../sessions/sessionIssuer.ts';
import { presentSession, presentUser } from '../users/userPresenter.ts';
import { signIn } from '../users/userSignIn.ts';
import { DevLoginBody as DevLoginReply, ErrorBody } from '../responses.schema.ts';

const DevLoginBody = v.strictObject({
  email: v.pipe(v.string(), v.trim(), v.email('must be an email address'), v.maxLength(254)),
  name: v.optional(v.pipe(v.string(), v.trim(), v.minLength(1, 'must not be empty'), v.maxLength(100))),
  locale: v.optional(v.pipe(v.string(), v.maxLength(35))),
});

export const devLoginRoutes = (deps: AuthDeps) => {
  // Password-less, so only ever on a developer's machine; still, a loop against it fills the users table.
  const perClient = inProcessRateLimiter({ limit: deps.config.DEV_LOGIN_PER_MIN_PER_CLIENT, windowS: 60 });
  return new Elysia({ name: 'auth.dev' }).post(
    '/auth/dev/login',
    async ({ body, request, server }) => {
      await takeOrThrow('development logins', [perClient, clientAddress(request, server, deps.config.trustProxy)]);
      const email = body.email.toLowerCase();
      const { user, created } = await signIn(deps, { provider: 'dev', subject: email, email, name: body.name ?? email.split('@')[0]!, locale: body.locale ?? null });
      const session = await startSession(deps, user);
      deps.logger.warn('DEVELOPMENT LOGIN used', { email, userId: user.id });
      return withCookies(
        Response.json({ user: presentUser(user), created, ...presentSession(session, true) }, { headers: { 'cache-control': 'no-store' } }),
        sessionCookies(deps.config, session),
      );
    },
    { body: DevLoginBody, response: { 200: DevLoginReply, 403: ErrorBody, 422: ErrorBody, 429: ErrorBody }, detail: { summary: 'DEVELOPMENT ONLY (AUTH_DEV_LOGIN=1): sign in as anyone', tags: ['auth'] } },
  );
};
