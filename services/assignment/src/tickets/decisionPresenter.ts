/** @module API shape of a decision and of a ticket's decision log. */
import type { DecisionRow } from '../assigning/decisions.model.ts';
import type { TicketRow } from '../projection/projection.model.ts';

export const presentDecision = (d: DecisionRow) => ({
  id: d.id,
  ticketId: d.ticketId,
  trigger: d.trigger,
  strategy: d.strategy,
  outcome: d.outcome,
  assigneeId: d.assigneeId,
  previousAssigneeId: d.previousAssigneeId,
  reason: d.reason,
  decidedBy: d.decidedBy,
  decidedAt: d.decidedAt.toISOString(),
  /** In rank order (rank 1 won), then the excluded ones with why. */
  candidates: d.candidates,
});

export const presentDecisionLog = (ticket: TicketRow, decisions: DecisionRow[]) => ({
  ticketId: ticket.id,
  code: ticket.code,
  assigneeId: ticket.assigneeId,
  assignedAt: ticket.assignedAt?.toISOString() ?? null,
  /** Oldest first. */
  decisions: decisions.map(presentDecision),
});
