/** @module Routes of invite links: the owner creates (token shown once), lists and revokes; anyone with a token accepts. */
import { authGuard } from '@syncro/kit/auth';
import { clientAddress, inProcessRateLimiter, takeOrThrow } from '@syncro/kit/ratelimit';
import { Elysia } from 'elysia';
import * as v from 'valibot';
import type { AuthDeps } from '../context.ts';
import { cookieOrigins, sessionCookies, withCookies } from '../sessions/cookies.ts';
import { presentSession, presentUser } from '../users/userPresenter.ts';
import { acceptInvite, createInvite, listInvites, revokeInvite } from './inviteIssuer.ts';
import type { InviteRow } from './invites.model.ts';
import { CreatedInviteBody, DevLoginBody as SignedInBody, ErrorBody, InviteBody, InviteListBody } from '../responses.schema.ts';

/** Accept attempts per minute per client address: a token is 32 random bytes, this only stops floods of sign-ups. */
export const ACCEPTS_PER_MIN_PER_CLIENT = 20;

const CreateInviteBody = v.strictObject({
  expiresInHours: v.optional(v.pipe(v.number(), v.integer('must be a whole number of hours'), v.minValue(1), v.maxValue(24 * 90)), 72),
  maxUses: v.optional(v.pipe(v.number(), v.integer('must be a whole number'), v.minValue(1), v.maxValue(1000)), 1),
});
const AcceptBody = v.strictObject({
  token: v.pipe(v.string(), v.startsWith('sbi_', 'must be an invite token (sbi_…)'), v.maxLength(200)),
  email: v.pipe(v.string(), v.trim(), v.email('must be an email address'), v.maxLength(254)),
  name: v.optional(v.pipe(v.string(), v.trim(), v.minLength(1, 'must not be empty'), v.maxLength(100))),
});
const InviteParams = v.object({ id: v.pipe(v.string(), v.uuid('must be a UUID')) });

const presentInvite = (i: InviteRow) => ({
  id: i.id,
  maxUses: i.maxUses,
  uses: i.uses,
  createdAt: i.createdAt.toISOString(),
  expiresAt: i.expiresAt.toISOString(),
  revokedAt: i.revokedAt?.toISOString() ?? null,
});

/** The link the owner shares: the board's invite page, with the token in the fragment so it stays out of server logs. */
const inviteUrl = (deps: AuthDeps, token: string) => `${new URL('invite', deps.config.APP_URL).toString()}#${token}`;

export const inviteRoutes = (deps: AuthDeps) => {
  const perClient = inProcessRateLimiter({ limit: ACCEPTS_PER_MIN_PER_CLIENT, windowS: 60 });
  return new Elysia({ name: 'auth.invites' })
    .post(
      '/auth/invites/accept',
      async ({ body, request, server }) => {
        await takeOrThrow('invite accepts', [perClient, clientAddress(request, server, deps.config.trustProxy)]);
        const { user, created, session } = await acceptInvite(deps, body);
        // A browser (it sends Origin with every POST) keeps the refresh token in its HttpOnly cookie
        // only, out of reach of page scripts; an API client (curl, no Origin) gets it in the body.
        const fromBrowser = request.headers.has('origin');
        return withCookies(
          Response.json({ user: presentUser(user), created, ...presentSession(session, !fromBrowser) }, { headers: { 'cache-control': 'no-store' } }),
          sessionCookies(deps.config, session),
        );
      },
      {
        body: AcceptBody,
        response: { 200: SignedInBody, 403: ErrorBody, 404: ErrorBody, 409: ErrorBody, 422: ErrorBody, 429: ErrorBody },
        detail: { summary: 'Accept an invite link: signs a new user in with the email given', tags: ['auth'] },
      },
    )
    .use(authGuard(deps.verify, { seed: 'auth', allowedOrigins: cookieOrigins(deps.config) }))
    .post(
      '/auth/invites',
      async ({ body, user, set }) => {
        const { row, token } = await createInvite(deps, user.id, body);
        set.status = 201;
        set.headers['cache-control'] = 'no-store';
        return { ...presentInvite(row), url: inviteUrl(deps, token), token };
      },
      { body: CreateInviteBody, response: { 201: CreatedInviteBody, 401: ErrorBody, 403: ErrorBody, 422: ErrorBody }, detail: { summary: 'Owner only: create an invite link; its token is shown only in this response', tags: ['auth'] } },
    )
    .get('/auth/invites', async ({ user }) => ({ invites: (await listInvites(deps, user.id)).map(presentInvite) }), {
      response: { 200: InviteListBody, 401: ErrorBody, 403: ErrorBody },
      detail: { summary: 'Owner only: the invite links (never their tokens)', tags: ['auth'] },
    })
    .delete('/auth/invites/:id', async ({ params, user }) => presentInvite(await revokeInvite(deps, user.id, params.id)), {
      params: InviteParams,
      response: { 200: InviteBody, 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody, 422: ErrorBody },
      detail: { summary: 'Owner only: revoke an invite link', tags: ['auth'] },
    });
};
