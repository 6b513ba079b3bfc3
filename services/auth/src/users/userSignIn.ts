/**
 * @module Signs a person in from a verified identity: finds them by (provider, subject), else links
 * the identity to the user with the same verified email, else creates the user and writes
 * `user.created` to the outbox in the same transaction. Later logins refresh the profile (name,
 * picture, locale when the provider gives them; email when the same provider identity now has
 * another verified address that no other user holds) and, when any of those changed, write
 * `user.updated` with just the changed fields, in the same transaction.
 */
import { USER_PROFILE_FIELDS, type Payload } from '@syncro/contracts';
import { Forbidden } from '@syncro/kit/errors';
import { appendToOutbox } from '@syncro/kit/outbox';
import { and, eq, ne, sql } from 'drizzle-orm';
import type { AuthDeps, Tx } from '../context.ts';
import type { VerifiedIdentity } from './identity.ts';
import { identities, users, type UserRow } from './users.model.ts';

const LOCALE = /^[A-Za-z]{2,3}([-_][A-Za-z0-9]{2,8})*$/;
/** The provider's locale as a BCP 47 tag, or null when it gave none (or nonsense). */
const validLocale = (locale: string | null | undefined) => (locale && LOCALE.test(locale) ? locale.replaceAll('_', '-') : null);
const normaliseLocale = (locale: string | null | undefined) => validLocale(locale) ?? 'en';

type Profile = Pick<UserRow, (typeof USER_PROFILE_FIELDS)[number]>;

/** Only the fields whose value differs: `{ field: { from, to } }`, or null when nothing changed. */
function profileChanges(before: Profile, after: Profile): Payload<'user.updated'>['changes'] | null {
  const changes: Record<string, { from: unknown; to: unknown }> = {};
  for (const field of USER_PROFILE_FIELDS) if (before[field] !== after[field]) changes[field] = { from: before[field], to: after[field] };
  return Object.keys(changes).length ? (changes as Payload<'user.updated'>['changes']) : null;
}

/** Whether another user already holds this address (then the login keeps the old one: emails are unique). */
const emailTaken = async (tx: Tx, email: string, userId: string) =>
  (await tx.select({ id: users.id }).from(users).where(and(eq(users.email, email), ne(users.id, userId)))).length > 0;

export async function signIn(deps: Pick<AuthDeps, 'db' | 'wakeRelay' | 'config'>, who: VerifiedIdentity): Promise<{ user: UserRow; created: boolean; updated: boolean }> {
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

    const existing = known?.user ?? (await tx.select().from(users).where(eq(users.email, email)))[0];
    if (existing) {
      const locale = validLocale(who.locale);
      const moved = known && email !== existing.email && !(await emailTaken(tx, email, existing.id));
      const [user] = await tx
        .update(users)
        .set({ ...profile, ...(locale ? { locale } : {}), ...(moved ? { email } : {}) })
        .where(eq(users.id, existing.id))
        .returning();
      if (moved) await tx.update(identities).set({ email }).where(and(eq(identities.provider, who.provider), eq(identities.subject, who.subject)));
      if (!known) await tx.insert(identities).values({ provider: who.provider, subject: who.subject, userId: user!.id, email });
      const changes = profileChanges(existing, user!);
      if (changes) await appendToOutbox(tx, 'user.updated', { userId: user!.id, changes }, { aggregateType: 'user', aggregateId: user!.id });
      return { user: user!, created: false, updated: changes !== null };
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
    return { user: createdUser!, created: true, updated: false };
  });
  if (result.created || result.updated) deps.wakeRelay();
  return result;
}
