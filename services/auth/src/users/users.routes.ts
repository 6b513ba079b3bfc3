/**
 * @module Routes for finding other users, signed-in callers only: `GET /auth/users/lookup?email=`
 * (one user, to add as a member) and `GET /auth/users?ids=` (names, to show members).
 */
import { authGuard } from '@syncro/kit/auth';
import { inProcessRateLimiter, takeOrThrow } from '@syncro/kit/ratelimit';
import { Elysia } from 'elysia';
import * as v from 'valibot';
import type { AuthDeps } from '../context.ts';
import { cookieOrigins } from '../sessions/cookies.ts';
import { ErrorBody, UserLookupBody, UserNamesBody } from '../responses.schema.ts';
import { findUserByEmail, namesOf } from './userLookup.ts';

/** Per signed-in caller: enough for people adding teammates by hand, far too few to walk a list of addresses. */
export const LOOKUPS_PER_MIN_PER_USER = 20;
export const MAX_IDS = 100;

const LookupQuery = v.object({ email: v.pipe(v.string('is required: one email address'), v.trim(), v.maxLength(320), v.email('must be an email address')) });
const Uuid = v.pipe(v.string(), v.trim(), v.toLowerCase(), v.uuid('must be a list of user UUIDs'));
/**
 * Elysia hands a query value with commas (or a repeated key) to the schema already split into an
 * array, and a single value as a string: both are accepted and split the same way.
 */
const IdsQuery = v.object({
  ids: v.pipe(
    v.union([v.string(), v.array(v.string())], 'is required (comma-separated user UUIDs)'),
    v.transform((raw) => [raw].flat().flatMap((s) => s.split(',')).filter((s) => s.trim() !== '')),
    v.maxLength(MAX_IDS, `must list at most ${MAX_IDS} ids`),
    v.array(Uuid),
    v.transform((ids) => [...new Set(ids)]),
  ),
});

export const userRoutes = (deps: AuthDeps) => {
  const lookups = inProcessRateLimiter({ limit: LOOKUPS_PER_MIN_PER_USER, windowS: 60 });
  return new Elysia({ name: 'auth.users' })
    .use(authGuard(deps.verify, { seed: 'auth', allowedOrigins: cookieOrigins(deps.config) }))
    .get(
      '/auth/users/lookup',
      async ({ query, user }) => {
        await takeOrThrow('user lookups', [lookups, user.id]);
        return findUserByEmail(deps, query.email);
      },
      {
        query: LookupQuery,
        response: { 200: UserLookupBody, 400: ErrorBody, 401: ErrorBody, 404: ErrorBody, 429: ErrorBody },
        detail: { summary: 'The user with this email (case-insensitive), to add as a member; rate-limited per caller', tags: ['users'] },
      },
    )
    .get('/auth/users', async ({ query }) => ({ users: await namesOf(deps, query.ids) }), {
      query: IdsQuery,
      response: { 200: UserNamesBody, 400: ErrorBody, 401: ErrorBody },
      detail: { summary: `Names of users by id (at most ${MAX_IDS}, comma-separated); unknown ids are left out`, tags: ['users'] },
    });
};
