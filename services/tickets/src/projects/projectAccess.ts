/** @module Finds a project by UUID or key and checks that the caller belongs to it. */
import { PROJECT_KEY_PATTERN, type ProjectRole } from '@syncro/contracts';
import { Forbidden, NotFound } from '@syncro/kit/errors';
import { eq } from 'drizzle-orm';
import type { TicketDb, Tx } from '../context.ts';
import { queries } from '../db/prepared.ts';
import { projects, type ProjectRow } from './projects.model.ts';

export interface ProjectAccess {
  project: ProjectRow;
  role: ProjectRole;
}

export const isProjectKey = (ref: string) => PROJECT_KEY_PATTERN.test(ref);

export async function findProject(db: TicketDb | Tx, ref: string): Promise<ProjectRow | undefined> {
  const [row] = await db
    .select()
    .from(projects)
    .where(isProjectKey(ref) ? eq(projects.key, ref) : eq(projects.id, ref));
  return row;
}

/**
 * Non-members get the same 404 as for a project that does not exist, so project keys and ids do
 * not leak to outsiders; members who lack a right get 403. `what` names the thing the caller asked
 * for (a ticket of the project), so the 404 speaks of it.
 */
export async function requireMember(db: TicketDb, ref: string, userId: string, what = `Project ${ref}`): Promise<ProjectAccess> {
  const q = queries(db);
  const [row] = await (isProjectKey(ref) ? q.memberByProjectKey : q.memberByProjectId).execute({ ref, userId });
  if (!row) throw new NotFound(what);
  return row;
}

export async function requireOwner(db: TicketDb, ref: string, userId: string): Promise<ProjectAccess> {
  const access = await requireMember(db, ref, userId);
  if (access.role !== 'owner') throw new Forbidden('Only a project owner can do this');
  return access;
}
