/**
 * @module The first sign-in of a self-hosted board with no login provider: while the instance has
 * no user, the process issues a one-time setup link (`GET /auth/setup/:token`) that signs in the
 * first user as the owner. No password exists; only the token's SHA-256 is kept, in memory, so a
 * restart before it is used issues a new one and the printed old one stops working.
 */
import { timingSafeEqual } from 'node:crypto';
import { Conflict, NotFound } from '@syncro/kit/errors';
import { Elysia } from 'elysia';
import * as v from 'valibot';
import type { AuthDeps } from '../context.ts';
import { sessionCookies, withCookies } from '../sessions/cookies.ts';
import { hashSecret } from '../sessions/secrets.ts';
import { startSession } from '../sessions/sessionIssuer.ts';
import { signIn } from '../users/userSignIn.ts';
import { users } from '../users/users.model.ts';
import { ErrorBody, NoBody } from '../responses.schema.ts';

/** The owner's identity until they link a real provider (profile edits keep it). */
export const OWNER = { provider: 'setup', subject: 'owner', email: 'owner@syncroboard.invalid', name: 'Owner' } as const;

export interface SetupLinks {
  /** A new link when the instance has no user yet (any earlier one stops working), else null. */
  issue(): Promise<string | null>;
  /** Signs the owner in with `token`, once. */
  redeem(token: string): Promise<{ userId: string; cookies: string[] }>;
}

const same = (a: string, b: string) => a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b));

export function createSetupLinks(deps: AuthDeps): SetupLinks {
  let pendingHash: string | null = null;
  const noUserYet = async () => (await deps.db.select({ id: users.id }).from(users).limit(1)).length === 0;
  return {
    async issue() {
      if (!(await noUserYet())) return (pendingHash = null);
      const token = Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString('base64url');
      pendingHash = hashSecret(token);
      return new URL(`/auth/setup/${token}`, deps.config.PUBLIC_URL).toString();
    },
    async redeem(token) {
      const hash = hashSecret(token);
      if (!pendingHash || !same(hash, pendingHash)) throw new NotFound('A setup link like this one (it was used already, or issued before the last restart)');
      pendingHash = null; // spent before any await: two clicks cannot both get in
      if (!(await noUserYet())) throw new Conflict('SETUP_DONE', 'This board has an owner already: sign in instead');
      const { user, session } = await signIn(deps, { ...OWNER })
        .then(async ({ user }) => ({ user, session: await startSession(deps, user) }))
        .catch((err) => {
          pendingHash ??= hash; // nothing was signed in: the link still works
          throw err;
        });
      deps.logger.info('owner signed in with the setup link', { userId: user.id });
      return { userId: user.id, cookies: sessionCookies(deps.config, session) };
    },
  };
}

const SetupParams = v.object({ token: v.pipe(v.string(), v.minLength(1), v.maxLength(200)) });

export const setupRoutes = (deps: AuthDeps, links: SetupLinks) =>
  new Elysia({ name: 'auth.setup' }).get(
    '/auth/setup/:token',
    async ({ params }) => {
      const { cookies } = await links.redeem(params.token);
      return withCookies(new Response(null, { status: 303, headers: { location: deps.config.APP_URL, 'cache-control': 'no-store', 'referrer-policy': 'no-referrer' } }), cookies);
    },
    { params: SetupParams, response: { 303: NoBody, 404: ErrorBody, 409: ErrorBody }, detail: { summary: 'The one-time setup link: signs the first user in as the owner, then to the board', tags: ['auth'] } },
  );
