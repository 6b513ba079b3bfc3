/** @module Finds a project of the projection by UUID or key and checks the caller belongs to it. */
import { PROJECT_KEY_PATTERN, type ProjectRole } from '@syncro/contracts';
import { Forbidden, NotFound } from '@syncro/kit/errors';
import { and, eq } from 'drizzle-orm';
import type { AssignDb } from '../context.ts';
import { members, projects, type ProjectRow } from '../projection/projection.model.ts';

export interface ProjectAccess {
  project: ProjectRow;
  role: ProjectRole;
}

/**
 * As in the Ticket Service, a non-member gets the same 404 as for a project that does not exist
 * (or that this service has not heard of yet); a member who lacks a right gets 403. `what` names
 * the thing the caller asked for.
 */
export async function requireMember(db: AssignDb, ref: string, userId: string, what = `Project ${ref}`): Promise<ProjectAccess> {
  const [row] = await db
    .select({ project: projects, role: members.role })
    .from(projects)
    .innerJoin(members, and(eq(members.projectId, projects.id), eq(members.userId, userId), eq(members.active, true)))
    .where(PROJECT_KEY_PATTERN.test(ref) ? eq(projects.key, ref) : eq(projects.id, ref));
  if (!row) throw new NotFound(what);
  return row;
}

export async function requireOwner(db: AssignDb, ref: string, userId: string): Promise<ProjectAccess> {
  const access = await requireMember(db, ref, userId);
  if (access.role !== 'owner') throw new Forbidden('Only a project owner can do this');
  return access;
}
