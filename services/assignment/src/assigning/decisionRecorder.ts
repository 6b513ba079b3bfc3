/**
 * @module Writes a decision: the log row, and for an assignment also the new assignee on the
 * projected ticket (the load update), the member's last assignment time and `ticket.assigned` in
 * the outbox, all in the caller's transaction.
 */
import { appendToOutbox } from '@syncro/kit/outbox';
import { sql } from 'drizzle-orm';
import type { AssignmentChange } from '../projection/assignmentChange.ts';
import type { TicketRow } from '../projection/projection.model.ts';
import { decisions, type DecisionRow } from './decisions.model.ts';
import type { RankedCandidate } from './ranking.ts';

export interface Decision {
  ticket: Pick<TicketRow, 'id' | 'projectId' | 'assigneeId' | 'assignedAt'>;
  trigger: DecisionRow['trigger'];
  strategy: DecisionRow['strategy'];
  /** null: nobody was eligible, the ticket keeps its assignee (or stays unassigned). */
  assigneeId: string | null;
  reason: string;
  candidates: RankedCandidate[];
  decidedBy: string | null;
  at: Date;
}

export async function recordDecision(change: AssignmentChange, d: Decision): Promise<DecisionRow> {
  const { tx } = change;
  // Strictly after the assignment that stands: the Ticket Service ignores one that is not newer.
  const decidedAt = new Date(Math.max(d.at.getTime(), (d.ticket.assignedAt?.getTime() ?? 0) + 1));
  const row: DecisionRow = {
    id: Bun.randomUUIDv7(),
    ticketId: d.ticket.id,
    projectId: d.ticket.projectId,
    trigger: d.trigger,
    strategy: d.strategy,
    outcome: d.assigneeId ? 'assigned' : 'unassigned',
    assigneeId: d.assigneeId,
    previousAssigneeId: d.ticket.assigneeId,
    reason: d.reason,
    candidates: d.candidates,
    decidedBy: d.decidedBy,
    decidedAt,
  };
  await tx.insert(decisions).values(row);
  if (!d.assigneeId) return row;

  const at = decidedAt.toISOString();
  await Promise.all([
    tx.execute(sql`update tickets set assignee_id = ${d.assigneeId}, assigned_at = ${at}::timestamptz where id = ${d.ticket.id}`),
    tx.execute(sql`
      update members set last_assigned_at = greatest(last_assigned_at, ${at}::timestamptz)
      where project_id = ${d.ticket.projectId} and user_id = ${d.assigneeId}`),
    appendToOutbox(
      tx,
      'ticket.assigned',
      {
        ticketId: d.ticket.id,
        assigneeId: d.assigneeId,
        assignedAt: at,
        projectId: d.ticket.projectId,
        strategy: d.strategy,
        previousAssigneeId: d.ticket.assigneeId,
        reason: d.reason,
        assignedBy: d.decidedBy,
      },
      { aggregateType: 'ticket', aggregateId: d.ticket.id },
    ),
  ]);
  change.published();
  return row;
}
