/** @module Reads a project's members (oldest first) and the projects a user belongs to (by key). */
import { asc, eq } from 'drizzle-orm';
import type { TicketDb } from '../context.ts';
import { projectMembers, projects, type MemberRow, type ProjectRow } from './projects.model.ts';

export const listMembers = (db: TicketDb, projectId: string): Promise<MemberRow[]> =>
  db.select().from(projectMembers).where(eq(projectMembers.projectId, projectId)).orderBy(asc(projectMembers.addedAt));

export const listProjectsOf = (db: TicketDb, userId: string): Promise<{ project: ProjectRow; role: MemberRow['role'] }[]> =>
  db
    .select({ project: projects, role: projectMembers.role })
    .from(projectMembers)
    .innerJoin(projects, eq(projects.id, projectMembers.projectId))
    .where(eq(projectMembers.userId, userId))
    .orderBy(asc(projects.key));
