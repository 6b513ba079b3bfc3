/**
 * @module Spends a refresh token for a new session. Every token is single-use: presenting one that
 * was already rotated means it leaked (or a client is confused), so its whole family is revoked and
 * the legitimate holder must log in again (OAuth 2.0 Security BCP, refresh token rotation).
 */
import { Unauthenticated } from '@syncro/kit/errors';
import { and, eq, isNull, sql } from 'drizzle-orm';
import type { AuthDeps, Tx } from '../context.ts';
import { users } from '../users/users.model.ts';
import { refreshTokens } from './sessions.model.ts';
import { hashSecret } from './secrets.ts';
import { issueSession, type IssuedSession } from './sessionIssuer.ts';

const refused = (code: string, message: string) => new Unauthenticated(message, code);

export const revokeFamily = (tx: Tx | AuthDeps['db'], familyId: string, reason: string) =>
  tx
    .update(refreshTokens)
    .set({ revokedAt: sql`now()`, revokedReason: reason })
    .where(and(eq(refreshTokens.familyId, familyId), isNull(refreshTokens.revokedAt)));

export async function refreshSession(deps: Pick<AuthDeps, 'db' | 'keys' | 'config' | 'logger' | 'metrics'>, presented: string): Promise<IssuedSession> {
  // The reuse verdict must survive the refusal, so it commits in its own transaction first.
  const outcome = await deps.db.transaction(async (tx) => {
    const [token] = await tx.select().from(refreshTokens).where(eq(refreshTokens.tokenHash, hashSecret(presented))).for('update');
    if (!token) return { error: refused('REFRESH_TOKEN_INVALID', 'The refresh token is not known') };
    if (token.revokedAt) return { error: refused('REFRESH_TOKEN_REVOKED', 'The refresh token has been revoked; log in again') };
    if (token.rotatedAt) {
      await revokeFamily(tx, token.familyId, 'reuse');
      deps.logger.warn('refresh token reused: family revoked', { familyId: token.familyId, userId: token.userId });
      // A reuse is either a stolen token or a confused client: worth an alert either way.
      deps.metrics.counter('auth_refresh_reuse_total', 'Spent refresh tokens presented again (their family was revoked)').inc();
      return { error: refused('REFRESH_TOKEN_REUSED', 'The refresh token was already used; every session of this login is revoked') };
    }
    if (token.expiresAt.getTime() <= Date.now()) return { error: refused('REFRESH_TOKEN_EXPIRED', 'The refresh token has expired; log in again') };
    const [user] = await tx.select().from(users).where(eq(users.id, token.userId));
    await tx.update(refreshTokens).set({ rotatedAt: sql`now()` }).where(eq(refreshTokens.id, token.id));
    return { session: await issueSession(deps, tx, user!, token.familyId) };
  });
  if ('error' in outcome) throw outcome.error;
  return outcome.session;
}

/** Logout: the presented token's family ends; unknown tokens are ignored (logout always succeeds). */
export async function endSession(deps: Pick<AuthDeps, 'db'>, presented: string | null) {
  if (!presented) return;
  const [token] = await deps.db.select({ familyId: refreshTokens.familyId }).from(refreshTokens).where(eq(refreshTokens.tokenHash, hashSecret(presented)));
  if (token) await revokeFamily(deps.db, token.familyId, 'logout');
}
