/**
 * @module Finding other users for signed-in people: one by email (to add a member) and names by
 * id (to show members). Neither says more than it must: no email beside a name, and the email
 * lookup answers "unknown" the same way whatever the reason.
 */
import { eq, inArray } from 'drizzle-orm';
import { NotFound } from '@syncro/kit/errors';
import type { AuthDeps } from '../context.ts';
import { users } from './users.model.ts';

/** Emails are stored lower-cased (userSignIn), so lower-casing the question makes it case-insensitive on the unique index. */
export async function findUserByEmail(deps: AuthDeps, email: string): Promise<{ id: string; name: string; email: string }> {
  const [user] = await deps.db.select({ id: users.id, name: users.name, email: users.email }).from(users).where(eq(users.email, email.trim().toLowerCase()));
  if (!user) throw new NotFound('A user with that email');
  return user;
}

/** Ids nobody holds are left out rather than refused: a member may have been deleted. */
export async function namesOf(deps: AuthDeps, ids: string[]): Promise<{ id: string; name: string }[]> {
  if (ids.length === 0) return [];
  return deps.db.select({ id: users.id, name: users.name }).from(users).where(inArray(users.id, ids));
}
