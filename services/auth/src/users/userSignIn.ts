/**
 * @module Signs a person in from a verified identity: finds them by (provider, subject), else links
 * the identity to the user with the same verified email, else creates the user and writes
 * `user.created` to the outbox in the same transaction. Later logins refresh name and picture only.
 */
import { Forbidden } from '@syncro/kit/errors';
import { appendToOutbox } from '@syncro/kit/outbox';
import { and, eq, sql } from 'drizzle-orm';
import type { AuthDeps } from '../context.ts';
import type { VerifiedIdentity } from './identity.ts';
import { identities, users, type UserRow } from './users.model.ts';

const normaliseLocale = (locale: string | null | undefined) => (locale && /^[A-Za-z]{2,3}([-_][A-Za-z0-9]{2,8})*$/.test(locale) ? locale.replace('_', '-') : 'en');

export async function signIn(deps: Pick<AuthDeps, 'db' | 'wakeRelay' | 'config'>, who: VerifiedIdentity): Promise<{ user: UserRow; created: boolean }> {
  const email = who.email.trim().toLowerCase();
  const allowed = deps.config.AUTH_ALLOWED_EMAIL_DOMAINS;
  if (allowed.length > 0 && !allowed.includes(email.slice(email.lastIndexOf('@') + 1))) {
    throw new Forbidden(`Sign-in is limited to ${allowed.join(', ')} addresses`, 'EMAIL_DOMAIN_NOT_ALLOWED');
  }
  const name = who.name.trim() || email.split('@')[0]!;
  const result = await deps.db.transaction(async (tx) => {
    // Serialises two first logins of the same person (two tabs): one creates, the other finds.
    await tx.execute(sql`select pg_advisory_xact_lock(hashtextextended(${`auth:user:${email}`}, 0))`);
    const [known] = await tx
      .select({ user: users })
      .from(identities)
      .innerJoin(users, eq(users.id, identities.userId))
      .where(and(eq(identities.provider, who.provider), eq(identities.subject, who.subject)));
    const now = new Date();
    const profile = { name, ...(who.picture !== undefined ? { picture: who.picture } : {}), updatedAt: now, lastLoginAt: now };

    let user = known?.user ?? (await tx.select().from(users).where(eq(users.email, email)))[0];
    if (user) {
      [user] = await tx.update(users).set(profile).where(eq(users.id, user.id)).returning();
      if (!known) await tx.insert(identities).values({ provider: who.provider, subject: who.subject, userId: user!.id, email });
      return { user: user!, created: false };
    }
    const [createdUser] = await tx
      .insert(users)
      .values({ id: Bun.randomUUIDv7(), email, locale: normaliseLocale(who.locale), picture: who.picture ?? null, ...profile })
      .returning();
    await tx.insert(identities).values({ provider: who.provider, subject: who.subject, userId: createdUser!.id, email });
    await appendToOutbox(
      tx,
      'user.created',
      { userId: createdUser!.id, email, name: createdUser!.name, locale: createdUser!.locale },
      { aggregateType: 'user', aggregateId: createdUser!.id },
    );
    return { user: createdUser!, created: true };
  });
  if (result.created) deps.wakeRelay();
  return result;
}
