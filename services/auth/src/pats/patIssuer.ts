/**
 * @module Personal access tokens: a user creates one for a script or an integration, sees it once,
 * and revokes it at will. The token is never sent to other services: it is exchanged here for a
 * short-lived access JWT (`POST /auth/token`), so every service keeps verifying JWTs only.
 */
import { NotFound, Unauthenticated } from '@syncro/kit/errors';
import { and, desc, eq, isNull, sql } from 'drizzle-orm';
import type { AuthDeps } from '../context.ts';
import { issueAccessToken } from '../sessions/sessionIssuer.ts';
import { hashSecret, newSecret } from '../sessions/secrets.ts';
import { users } from '../users/users.model.ts';
import { personalAccessTokens, type PatRow } from './pats.model.ts';

export async function createPat(deps: Pick<AuthDeps, 'db'>, userId: string, input: { name: string; expiresInDays?: number | undefined }) {
  const token = newSecret('sbp');
  const [row] = await deps.db
    .insert(personalAccessTokens)
    .values({
      id: Bun.randomUUIDv7(),
      userId,
      name: input.name,
      tokenHash: hashSecret(token),
      prefix: token.slice(0, 12),
      expiresAt: input.expiresInDays ? new Date(Date.now() + input.expiresInDays * 86_400_000) : null,
    })
    .returning();
  return { row: row!, token };
}

export const listPats = (deps: Pick<AuthDeps, 'db'>, userId: string) =>
  deps.db.select().from(personalAccessTokens).where(eq(personalAccessTokens.userId, userId)).orderBy(desc(personalAccessTokens.createdAt));

export async function revokePat(deps: Pick<AuthDeps, 'db'>, userId: string, id: string): Promise<PatRow> {
  const [row] = await deps.db
    .update(personalAccessTokens)
    .set({ revokedAt: sql`coalesce(${personalAccessTokens.revokedAt}, now())` })
    .where(and(eq(personalAccessTokens.id, id), eq(personalAccessTokens.userId, userId)))
    .returning();
  // Someone else's token is reported as missing: its existence is not the caller's business.
  if (!row) throw new NotFound(`Personal access token ${id}`);
  return row;
}

/**
 * The exchange: a valid PAT buys one access JWT, no longer-lived than the PAT itself. The lookup
 * reads first and writes `lastUsedAt` only for a token that is good: a wrong guess costs one indexed
 * read and no write.
 */
export async function exchangePat(deps: Pick<AuthDeps, 'db' | 'keys' | 'config'>, presented: string) {
  const [found] = await deps.db
    .select({ pat: personalAccessTokens, user: users })
    .from(personalAccessTokens)
    .innerJoin(users, eq(users.id, personalAccessTokens.userId))
    .where(and(eq(personalAccessTokens.tokenHash, hashSecret(presented)), isNull(personalAccessTokens.revokedAt)));
  if (!found) throw new Unauthenticated('The personal access token is not valid or has been revoked', 'TOKEN_INVALID');
  const left = found.pat.expiresAt ? Math.floor((found.pat.expiresAt.getTime() - Date.now()) / 1000) : Infinity;
  if (left <= 0) throw new Unauthenticated('The personal access token has expired', 'TOKEN_EXPIRED');
  await deps.db.update(personalAccessTokens).set({ lastUsedAt: sql`now()` }).where(eq(personalAccessTokens.id, found.pat.id));
  const ttl = Math.min(deps.config.ACCESS_TOKEN_TTL_S, left);
  return { accessToken: await issueAccessToken(deps, found.user, ttl), tokenType: 'Bearer' as const, expiresIn: ttl };
}
