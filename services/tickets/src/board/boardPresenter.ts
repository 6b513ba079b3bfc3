/** @module API shape of the board: one column per status, highest priority first, then oldest. */
import { PRIORITIES, TICKET_STATUSES, type TicketStatus } from '@syncro/contracts';
import type { TicketRow } from '../tickets/tickets.model.ts';
import { presentTicket, type TicketView } from '../tickets/ticketPresenter.ts';

/** Higher is more urgent: PRIORITIES runs from LOW to URGENT. */
const rank = (p: TicketRow['priority']) => PRIORITIES.indexOf(p);

export function presentBoard(projectId: string, version: number, rows: TicketRow[]) {
  const columns = Object.fromEntries(TICKET_STATUSES.map((s) => [s, [] as TicketView[]])) as Record<TicketStatus, TicketView[]>;
  const sorted = [...rows].sort((a, b) => rank(b.priority) - rank(a.priority) || a.number - b.number);
  for (const t of sorted) columns[t.status].push(presentTicket(t));
  return { projectId, version, columns };
}
