/**
 * @module Removes a member: owners remove anyone, a member may remove themself (leave). A project
 * always keeps at least one owner, so the last owner can neither be removed nor leave.
 */
import type { AuthUser } from '@syncro/kit/auth';
import { Conflict, Forbidden, NotFound } from '@syncro/kit/errors';
import { appendToOutbox } from '@syncro/kit/outbox';
import { and, eq } from 'drizzle-orm';
import type { TicketDeps } from '../context.ts';
import { changeProject, projectStream } from './projectChange.ts';
import type { ProjectAccess } from './projectAccess.ts';
import { projectMembers } from './projects.model.ts';

export async function removeMember(
  deps: Pick<TicketDeps, 'db' | 'boardCache' | 'wakeRelay'>,
  { project, role }: ProjectAccess,
  userId: string,
  actor: AuthUser,
): Promise<void> {
  if (role !== 'owner' && userId !== actor.id) throw new Forbidden('Only a project owner can remove other members');
  await changeProject(deps, project.id, async ({ tx, bump }) => {
    const members = await tx.select().from(projectMembers).where(eq(projectMembers.projectId, project.id));
    const member = members.find((m) => m.userId === userId);
    if (!member) throw new NotFound(`Member ${userId} of ${project.key}`);
    if (member.role === 'owner' && members.filter((m) => m.role === 'owner').length === 1) {
      throw new Conflict('LAST_OWNER', 'A project must keep at least one owner; add another owner first');
    }
    await tx.delete(projectMembers).where(and(eq(projectMembers.projectId, project.id), eq(projectMembers.userId, userId)));
    const version = await bump();
    await appendToOutbox(
      tx,
      'project.member.removed',
      { projectId: project.id, key: project.key, userId, role: member.role, version, actorId: actor.id },
      projectStream(project.id, version),
    );
  });
}
