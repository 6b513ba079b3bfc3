/** @module Routes of personal access tokens: create (shown once), list, revoke, and the exchange for a JWT. */
import { authGuard } from '@syncro/kit/auth';
import { clientAddress, inProcessRateLimiter, takeOrThrow } from '@syncro/kit/ratelimit';
import { Elysia } from 'elysia';
import * as v from 'valibot';
import type { AuthDeps } from '../context.ts';
import { cookieOrigins } from '../sessions/cookies.ts';
import { createPat, exchangePat, listPats, revokePat } from './patIssuer.ts';
import type { PatRow } from './pats.model.ts';
import { CreatedPatBody, ErrorBody, PatBody, PatListBody, TokenExchangeBody } from '../responses.schema.ts';

const CreatePatBody = v.strictObject({
  name: v.pipe(v.string(), v.trim(), v.minLength(1, 'must not be empty'), v.maxLength(100)),
  /** Omit for a token that lasts until revoked. */
  expiresInDays: v.optional(v.pipe(v.number(), v.integer('must be a whole number of days'), v.minValue(1), v.maxValue(3650))),
});
const ExchangeBody = v.strictObject({ token: v.pipe(v.string(), v.startsWith('sbp_', 'must be a personal access token (sbp_…)'), v.maxLength(200)) });
const PatParams = v.object({ id: v.pipe(v.string(), v.uuid('must be a UUID')) });

const presentPat = (p: PatRow) => ({
  id: p.id,
  name: p.name,
  prefix: p.prefix,
  createdAt: p.createdAt.toISOString(),
  expiresAt: p.expiresAt?.toISOString() ?? null,
  lastUsedAt: p.lastUsedAt?.toISOString() ?? null,
  revokedAt: p.revokedAt?.toISOString() ?? null,
});

/** The part of a PAT shown in lists; limiting by it slows guessing at one known token from many addresses. */
const prefixOf = (token: string) => token.slice(0, 12);

export const patRoutes = (deps: AuthDeps) => {
  const perClient = inProcessRateLimiter({ limit: deps.config.TOKEN_EXCHANGE_PER_MIN_PER_CLIENT, windowS: 60 });
  const perPrefix = inProcessRateLimiter({ limit: deps.config.TOKEN_EXCHANGE_PER_MIN_PER_PREFIX, windowS: 60 });
  return new Elysia({ name: 'auth.pats' })
    .post(
      '/auth/token',
      async ({ body, request, server }) => {
        await takeOrThrow('token exchanges', [perClient, clientAddress(request, server, deps.config.trustProxy)], [perPrefix, prefixOf(body.token)]);
        const exchanged = await exchangePat(deps, body.token);
        return Response.json(exchanged, { headers: { 'cache-control': 'no-store' } });
      },
      { body: ExchangeBody, response: { 200: TokenExchangeBody, 401: ErrorBody, 422: ErrorBody, 429: ErrorBody }, detail: { summary: 'Exchange a personal access token for a short-lived access JWT', tags: ['tokens'] } },
    )
    .use(authGuard(deps.verify, { seed: 'auth', allowedOrigins: cookieOrigins(deps.config) }))
    .post(
      '/auth/tokens',
      async ({ body, user, set }) => {
        const { row, token } = await createPat(deps, user.id, body);
        set.status = 201;
        set.headers['cache-control'] = 'no-store';
        return { ...presentPat(row), token };
      },
      { body: CreatePatBody, response: { 201: CreatedPatBody, 401: ErrorBody, 403: ErrorBody, 422: ErrorBody }, detail: { summary: 'Create a personal access token; the token is shown only in this response', tags: ['tokens'] } },
    )
    .get('/auth/tokens', async ({ user }) => ({ tokens: (await listPats(deps, user.id)).map(presentPat) }), {
      response: { 200: PatListBody, 401: ErrorBody },
      detail: { summary: 'The caller’s personal access tokens (never the secrets)', tags: ['tokens'] },
    })
    .delete(
      '/auth/tokens/:id',
      async ({ params, user }) => presentPat(await revokePat(deps, user.id, params.id)),
      { params: PatParams, response: { 200: PatBody, 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody }, detail: { summary: 'Revoke a personal access token', tags: ['tokens'] } },
    );
};
