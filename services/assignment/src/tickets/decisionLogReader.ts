/** @module Reads a ticket's decision log, oldest first, as the API shows it. */
import { asc, eq } from 'drizzle-orm';
import { decisions } from '../assigning/decisions.model.ts';
import type { AssignDeps } from '../context.ts';
import type { TicketRow } from '../projection/projection.model.ts';
import { presentDecisionLog } from './decisionPresenter.ts';

export async function readDecisionLog(deps: Pick<AssignDeps, 'db'>, ticket: TicketRow) {
  const rows = await deps.db.select().from(decisions).where(eq(decisions.ticketId, ticket.id)).orderBy(asc(decisions.decidedAt), asc(decisions.id));
  return presentDecisionLog(ticket, rows);
}
