/**
 * @module Changes a member's skills, capacity or availability. The owner manages everyone; a
 * member manages their own (they know best when they are away or what they can take).
 */
import type { ProjectRole } from '@syncro/contracts';
import type { AuthUser } from '@syncro/kit/auth';
import { Forbidden, NotFound } from '@syncro/kit/errors';
import { and, eq } from 'drizzle-orm';
import { loadsOf } from '../assigning/candidates.ts';
import { normaliseSkills } from '../assigning/ranking.ts';
import type { AssignDeps } from '../context.ts';
import { changeAssignments } from '../projection/assignmentChange.ts';
import { members, type ProjectRow } from '../projection/projection.model.ts';
import type { MemberSettings } from './projects.schema.ts';
import { presentMember } from './workloadPresenter.ts';

export async function updateMemberSettings(
  deps: Pick<AssignDeps, 'db' | 'wakeRelay' | 'now'>,
  access: { project: ProjectRow; role: ProjectRole },
  userId: string,
  settings: MemberSettings,
  actor: AuthUser,
) {
  if (access.role !== 'owner' && actor.id !== userId) throw new Forbidden('Only a project owner or the member themself can change these settings');
  const { project } = access;
  return changeAssignments(deps, project.id, async ({ tx }) => {
    const [row] = await tx
      .update(members)
      .set({
        ...(settings.skills !== undefined ? { skills: normaliseSkills(settings.skills) } : {}),
        ...(settings.capacity !== undefined ? { capacity: settings.capacity } : {}),
        ...(settings.awayUntil !== undefined ? { awayUntil: settings.awayUntil ? new Date(settings.awayUntil) : null } : {}),
      })
      .where(and(eq(members.projectId, project.id), eq(members.userId, userId), eq(members.active, true)))
      .returning();
    if (!row) throw new NotFound(`Member ${userId} of ${project.key}`);
    const load = (await loadsOf(tx, project.id)).get(userId) ?? { load: 0, openTickets: 0 };
    return presentMember(row, load, deps.now());
  });
}
