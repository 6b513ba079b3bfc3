/** @module Sets a project's automatic strategy (owners only); it applies to decisions from now on. */
import { eq } from 'drizzle-orm';
import type { AssignDeps } from '../context.ts';
import { changeAssignments } from '../projection/assignmentChange.ts';
import { projects, type AutoStrategy, type ProjectRow } from '../projection/projection.model.ts';

export async function setStrategy(deps: Pick<AssignDeps, 'db' | 'wakeRelay'>, project: ProjectRow, strategy: AutoStrategy): Promise<ProjectRow> {
  return changeAssignments(deps, project.id, async ({ tx }) => {
    const [row] = await tx.update(projects).set({ strategy }).where(eq(projects.id, project.id)).returning();
    return row!;
  });
}
