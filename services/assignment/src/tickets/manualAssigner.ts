/**
 * @module Manual assignment: a project member puts a ticket on someone. It overrides the rules
 * (an away or full member may be chosen on purpose; the log notes what the rules would have said)
 * and, being newer, it stands against any automatic assignment decided before it.
 */
import type { AuthUser } from '@syncro/kit/auth';
import { InvalidField } from '@syncro/kit/errors';
import { candidatesOf } from '../assigning/candidates.ts';
import { recordDecision } from '../assigning/decisionRecorder.ts';
import type { DecisionRow } from '../assigning/decisions.model.ts';
import { rankCandidates } from '../assigning/ranking.ts';
import type { AssignDeps } from '../context.ts';
import { changeAssignments } from '../projection/assignmentChange.ts';
import type { TicketRow } from '../projection/projection.model.ts';
import { lockTicket } from './ticketLock.ts';

export async function assignManually(
  deps: Pick<AssignDeps, 'db' | 'wakeRelay' | 'now'>,
  found: TicketRow,
  assigneeId: string,
  actor: AuthUser,
): Promise<DecisionRow> {
  return changeAssignments(deps, found.projectId, async (change) => {
    const ticket = await lockTicket(change.tx, found.id, found.code);
    const target = (await candidatesOf(change.tx, ticket.projectId, ticket.id)).find((c) => c.userId === assigneeId);
    if (!target) throw new InvalidField('assigneeId', 'must be a member of the project');
    const at = deps.now();
    const [standing] = rankCandidates([target], ticket, 'least_loaded', at).candidates;
    const overrides = standing?.excluded ? ` (overriding the rules: ${standing.excluded})` : '';
    return recordDecision(change, {
      ticket,
      trigger: 'manual',
      strategy: 'manual',
      assigneeId,
      reason: `assigned by hand by ${actor.name}${overrides}`,
      candidates: standing ? [standing] : [],
      decidedBy: actor.id,
      at,
    });
  });
}
