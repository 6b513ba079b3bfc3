/**
 * @module Issues a session: a short-lived ES256 access JWT and an opaque refresh token. A login
 * starts a new refresh-token family; a refresh continues the family of the token it spends.
 */
import type { AuthDeps, Tx } from '../context.ts';
import type { UserRow } from '../users/users.model.ts';
import { refreshTokens } from './sessions.model.ts';
import { hashSecret, newSecret } from './secrets.ts';

export interface IssuedSession {
  accessToken: string;
  /** Seconds the access token lives. */
  expiresIn: number;
  refreshToken: string;
  refreshExpiresIn: number;
}

type User = Pick<UserRow, 'id' | 'email' | 'name'>;

export function issueAccessToken(deps: Pick<AuthDeps, 'keys' | 'config'>, user: User, ttlSeconds = deps.config.ACCESS_TOKEN_TTL_S) {
  return deps.keys.sign(
    { email: user.email, name: user.name },
    { subject: user.id, issuer: deps.config.AUTH_ISSUER, audience: deps.config.AUTH_AUDIENCE, ttlSeconds },
  );
}

/** Writes the refresh token in `tx` (the caller's transaction, so a rotation is all or nothing). */
export async function issueSession(deps: Pick<AuthDeps, 'keys' | 'config'>, tx: Tx, user: User, familyId = Bun.randomUUIDv7()): Promise<IssuedSession> {
  const refreshToken = newSecret('sbr');
  const ttl = deps.config.REFRESH_TOKEN_TTL_S;
  await tx.insert(refreshTokens).values({
    id: Bun.randomUUIDv7(),
    tokenHash: hashSecret(refreshToken),
    familyId,
    userId: user.id,
    expiresAt: new Date(Date.now() + ttl * 1000),
  });
  return {
    accessToken: await issueAccessToken(deps, user),
    expiresIn: deps.config.ACCESS_TOKEN_TTL_S,
    refreshToken,
    refreshExpiresIn: ttl,
  };
}

export const startSession = (deps: Pick<AuthDeps, 'db' | 'keys' | 'config'>, user: User) => deps.db.transaction((tx) => issueSession(deps, tx, user));
