/** @module Re-runs the automatic choice for one open ticket on request (e.g. after settings changed). */
import type { AuthUser } from '@syncro/kit/auth';
import { Conflict } from '@syncro/kit/errors';
import { pickAssignee } from '../assigning/assigneePicker.ts';
import type { DecisionRow } from '../assigning/decisions.model.ts';
import type { AssignDeps } from '../context.ts';
import { changeAssignments } from '../projection/assignmentChange.ts';
import type { TicketRow } from '../projection/projection.model.ts';
import { lockTicket } from './ticketLock.ts';

export async function reassignAutomatically(
  deps: Pick<AssignDeps, 'db' | 'wakeRelay' | 'now'>,
  found: TicketRow,
  actor: AuthUser,
): Promise<DecisionRow> {
  return changeAssignments(deps, found.projectId, async (change) => {
    const ticket = await lockTicket(change.tx, found.id, found.code);
    if (ticket.status === 'DONE') {
      throw new Conflict('TICKET_DONE', `Ticket ${ticket.code} is DONE: reopen it before assigning it automatically`, { status: ticket.status });
    }
    return pickAssignee(deps, change, ticket, 'auto', actor.id);
  });
}
