/**
 * @module The unit of work for a change to one existing ticket: the project change (lock, version,
 * cache), then the ticket read once, under its row lock, and checked against `If-Match`. Callers
 * give only its identity (TicketTarget): a row read before the lock would be stale by design.
 */
import type { TicketDeps } from '../context.ts';
import { changeProject, type ProjectChange } from '../projects/projectChange.ts';
import { checkIfMatch, lockTicket, type TicketTarget } from './ticketLookup.ts';
import type { TicketRow } from './tickets.model.ts';

export interface TicketChange extends ProjectChange {
  /** The ticket as it is now, locked until commit. */
  ticket: TicketRow;
}

export function changeTicket<T>(
  deps: Pick<TicketDeps, 'db' | 'boardCache' | 'wakeRelay'>,
  target: TicketTarget,
  ifMatch: string | undefined,
  work: (change: TicketChange) => Promise<T>,
): Promise<T> {
  return changeProject(deps, target.projectId, async (change) => {
    const ticket = await lockTicket(change.tx, target.id, target.code);
    checkIfMatch(ifMatch, ticket);
    return work({ ...change, ticket });
  });
}

/** Outbox options of a ticket event at `version`. */
export const ticketStream = (ticket: { id: string }, version: number) => ({
  aggregateType: 'ticket',
  aggregateId: ticket.id,
  streamVersion: version,
});
