/**
 * @module The ticket status state machine, pure: one table of allowed moves and the rules on them.
 * OPEN → IN_PROGRESS → REVIEW → DONE; back-steps IN_PROGRESS → OPEN and REVIEW → IN_PROGRESS;
 * reopen DONE → OPEN. Starting work needs an assignee. Everything else is refused.
 */
import type { TicketStatus } from '@syncro/contracts';

const MOVES: Record<TicketStatus, readonly TicketStatus[]> = {
  OPEN: ['IN_PROGRESS'],
  IN_PROGRESS: ['REVIEW', 'OPEN'],
  REVIEW: ['DONE', 'IN_PROGRESS'],
  DONE: ['OPEN'],
};

export const allowedTargets = (from: TicketStatus): readonly TicketStatus[] => MOVES[from];

export type TransitionCheck =
  | { ok: true }
  | { ok: false; code: 'TRANSITION_NOT_ALLOWED' | 'ASSIGNEE_REQUIRED'; message: string; allowed: readonly TicketStatus[] };

export function checkTransition(from: TicketStatus, to: TicketStatus, ticket: { assigneeId: string | null }): TransitionCheck {
  const allowed = MOVES[from];
  if (!allowed.includes(to)) {
    return { ok: false, code: 'TRANSITION_NOT_ALLOWED', message: `A ticket cannot move from ${from} to ${to}`, allowed };
  }
  if (from === 'OPEN' && to === 'IN_PROGRESS' && ticket.assigneeId === null) {
    return { ok: false, code: 'ASSIGNEE_REQUIRED', message: 'A ticket needs an assignee before work starts', allowed };
  }
  return { ok: true };
}
