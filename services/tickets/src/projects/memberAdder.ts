/** @module Adds a member to a project (owners only). */
import type { ProjectRole } from '@syncro/contracts';
import type { AuthUser } from '@syncro/kit/auth';
import { Conflict } from '@syncro/kit/errors';
import { appendToOutbox } from '@syncro/kit/outbox';
import type { TicketDeps } from '../context.ts';
import { changeProject, projectStream } from './projectChange.ts';
import { projectMembers, type MemberRow, type ProjectRow } from './projects.model.ts';
import { hasCode } from './projectCreator.ts';

export async function addMember(
  deps: Pick<TicketDeps, 'db' | 'boardCache' | 'wakeRelay'>,
  project: ProjectRow,
  input: { userId: string; role: ProjectRole },
  actor: AuthUser,
): Promise<MemberRow> {
  try {
    return await changeProject(deps, project.id, async ({ tx, bump }) => {
      const [member] = await tx.insert(projectMembers).values({ projectId: project.id, userId: input.userId, role: input.role }).returning();
      const version = await bump();
      await appendToOutbox(
        tx,
        'project.member.added',
        { projectId: project.id, key: project.key, userId: input.userId, role: input.role, version, actorId: actor.id },
        projectStream(project.id, version),
      );
      return member!;
    });
  } catch (err) {
    if (hasCode(err, '23505')) throw new Conflict('ALREADY_MEMBER', `User ${input.userId} is already a member of ${project.key}`);
    throw err;
  }
}
