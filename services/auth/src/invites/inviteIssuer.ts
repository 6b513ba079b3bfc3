/**
 * @module Invite links: the instance owner (the user who came in through the setup link) creates
 * expiring, single- or multi-use links; whoever holds one signs in as a new user with the email they
 * give. The token is shown once and only its SHA-256 is stored.
 */
import { Conflict, Forbidden, NotFound } from '@syncro/kit/errors';
import { and, desc, eq, gt, isNull, lt, sql } from 'drizzle-orm';
import type { AuthDeps } from '../context.ts';
import { OWNER } from '../setup/setupLink.ts';
import { hashSecret } from '../sessions/secrets.ts';
import { startSession } from '../sessions/sessionIssuer.ts';
import { signIn } from '../users/userSignIn.ts';
import { identities, users } from '../users/users.model.ts';
import { invites, type InviteRow } from './invites.model.ts';

/**
 * The owner is whoever holds the setup link's identity: it is written by the setup sign-in and kept
 * through profile edits, so no separate flag can drift from it.
 */
export async function isOwner(deps: Pick<AuthDeps, 'db'>, userId: string) {
  const [row] = await deps.db
    .select({ userId: identities.userId })
    .from(identities)
    .where(and(eq(identities.provider, OWNER.provider), eq(identities.subject, OWNER.subject), eq(identities.userId, userId)));
  return row !== undefined;
}

async function requireOwner(deps: Pick<AuthDeps, 'db'>, userId: string) {
  if (!(await isOwner(deps, userId))) throw new Forbidden('Only the owner of this board can manage invite links', 'NOT_OWNER');
}

export async function createInvite(deps: Pick<AuthDeps, 'db'>, userId: string, input: { expiresInHours: number; maxUses: number }) {
  await requireOwner(deps, userId);
  const token = `sbi_${Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString('base64url')}`;
  const [row] = await deps.db
    .insert(invites)
    .values({ id: Bun.randomUUIDv7(), tokenHash: hashSecret(token), createdBy: userId, maxUses: input.maxUses, expiresAt: new Date(Date.now() + input.expiresInHours * 3_600_000) })
    .returning();
  return { row: row!, token };
}

export async function listInvites(deps: Pick<AuthDeps, 'db'>, userId: string) {
  await requireOwner(deps, userId);
  return deps.db.select().from(invites).orderBy(desc(invites.createdAt));
}

export async function revokeInvite(deps: Pick<AuthDeps, 'db'>, userId: string, id: string): Promise<InviteRow> {
  await requireOwner(deps, userId);
  const [row] = await deps.db
    .update(invites)
    .set({ revokedAt: sql`coalesce(${invites.revokedAt}, now())` })
    .where(eq(invites.id, id))
    .returning();
  if (!row) throw new NotFound(`Invite ${id}`);
  return row;
}

/** Why a token that could not be claimed is refused: the claim itself says only "no". */
async function refusal(deps: Pick<AuthDeps, 'db'>, hash: string): Promise<Error> {
  const [row] = await deps.db.select().from(invites).where(eq(invites.tokenHash, hash));
  if (!row) return new NotFound('An invite link like this one');
  if (row.revokedAt) return new Forbidden('This invite link was revoked', 'INVITE_REVOKED');
  if (row.expiresAt.getTime() <= Date.now()) return new Forbidden('This invite link has expired', 'INVITE_EXPIRED');
  return new Forbidden('This invite link has been used up', 'INVITE_USED_UP');
}

/**
 * Claims one use with a single conditional update (two people racing for the last use: one wins),
 * then signs the new user in; a sign-in that fails gives the use back.
 */
export async function acceptInvite(deps: AuthDeps, input: { token: string; email: string; name?: string | undefined }) {
  const hash = hashSecret(input.token);
  const email = input.email.toLowerCase();
  const [claimed] = await deps.db
    .update(invites)
    .set({ uses: sql`${invites.uses} + 1` })
    .where(and(eq(invites.tokenHash, hash), isNull(invites.revokedAt), gt(invites.expiresAt, sql`now()`), lt(invites.uses, invites.maxUses)))
    .returning();
  if (!claimed) throw await refusal(deps, hash);
  const giveBack = () => deps.db.update(invites).set({ uses: sql`greatest(${invites.uses} - 1, 0)` }).where(eq(invites.id, claimed.id));
  try {
    // signIn links an identity to the user holding the same email: an invite must never sign into an existing account.
    const [taken] = await deps.db.select({ id: users.id }).from(users).where(eq(users.email, email));
    if (taken) throw new Conflict('EMAIL_TAKEN', 'A user with this email already exists: sign in instead');
    const { user, created } = await signIn(deps, { provider: 'invite', subject: crypto.randomUUID(), email, name: input.name ?? email.split('@')[0]! });
    const session = await startSession(deps, user);
    deps.logger.info('invite accepted', { inviteId: claimed.id, userId: user.id });
    return { user, created, session };
  } catch (err) {
    await giveBack();
    throw err;
  }
}
