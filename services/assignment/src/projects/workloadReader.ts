/** @module Reads a project's workload: every member's weighted load, open tickets, availability and skills. */
import { and, asc, eq, sql } from 'drizzle-orm';
import { loadsOf } from '../assigning/candidates.ts';
import type { AssignDeps } from '../context.ts';
import { members, type ProjectRow } from '../projection/projection.model.ts';
import { presentMember, presentWorkload } from './workloadPresenter.ts';

export async function readWorkload(deps: Pick<AssignDeps, 'db' | 'now'>, project: ProjectRow) {
  // One repeatable-read snapshot: the loads and the member list agree with each other.
  return deps.db.transaction(
    async (tx) => {
      const [rows, loads, [unassigned]] = await Promise.all([
        tx.select().from(members).where(and(eq(members.projectId, project.id), eq(members.active, true))).orderBy(asc(members.userId)),
        loadsOf(tx, project.id),
        tx.execute<{ n: number }>(
          sql`select count(*)::int as n from tickets where project_id = ${project.id} and status <> 'DONE' and assignee_id is null`,
        ),
      ]);
      const now = deps.now();
      const view = rows.map((m) => presentMember(m, loads.get(m.userId) ?? { load: 0, openTickets: 0 }, now));
      return presentWorkload(project, view, unassigned?.n ?? 0);
    },
    { isolationLevel: 'repeatable read', accessMode: 'read only' },
  );
}
