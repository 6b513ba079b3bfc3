/**
 * @module Automatic assignment of one ticket: the project's strategy and members' facts go
 * through the pure ranking; the winner (or "nobody") is recorded with every candidate's standing.
 */
import type { AssignDeps } from '../context.ts';
import type { AssignmentChange } from '../projection/assignmentChange.ts';
import { projects, type TicketRow } from '../projection/projection.model.ts';
import { eq } from 'drizzle-orm';
import { candidatesOf } from './candidates.ts';
import { recordDecision } from './decisionRecorder.ts';
import type { DecisionRow } from './decisions.model.ts';
import { rankCandidates } from './ranking.ts';

export async function pickAssignee(
  deps: Pick<AssignDeps, 'now'>,
  change: AssignmentChange,
  ticket: TicketRow,
  trigger: DecisionRow['trigger'],
  decidedBy: string | null = null,
): Promise<DecisionRow> {
  const { tx } = change;
  const at = deps.now();
  const [project] = await tx.select({ strategy: projects.strategy }).from(projects).where(eq(projects.id, ticket.projectId));
  if (!project) {
    // Its project.created is still on its way (another topic): decided again when it arrives.
    return recordDecision(change, {
      ticket,
      trigger,
      strategy: 'least_loaded',
      assigneeId: null,
      reason: 'project not known here yet: assigned when its project.created arrives',
      candidates: [],
      decidedBy,
      at,
    });
  }
  // The ticket's own weight is left out: re-deciding must not count it against its current assignee.
  const candidates = await candidatesOf(tx, ticket.projectId, ticket.id);
  const ranking = rankCandidates(candidates, ticket, project.strategy, at);
  return recordDecision(change, {
    ticket,
    trigger,
    strategy: project.strategy,
    assigneeId: ranking.winner?.userId ?? null,
    reason: ranking.reason,
    candidates: ranking.candidates,
    decidedBy,
    at,
  });
}
