/** @module Deletes a ticket and its comments; its code is never handed out again. */
import type { AuthUser } from '@syncro/kit/auth';
import { appendToOutbox } from '@syncro/kit/outbox';
import { eq } from 'drizzle-orm';
import type { TicketDeps } from '../context.ts';
import { changeTicket, ticketStream } from './ticketChange.ts';
import { tickets, type TicketRow } from './tickets.model.ts';

export async function deleteTicket(
  deps: Pick<TicketDeps, 'db' | 'boardCache' | 'wakeRelay'>,
  current: TicketRow,
  ifMatch: string | undefined,
  user: AuthUser,
): Promise<void> {
  await changeTicket(deps, current, ifMatch, async ({ tx, bump, ticket }) => {
    await tx.delete(tickets).where(eq(tickets.id, ticket.id));
    const version = await bump();
    await appendToOutbox(
      tx,
      'ticket.deleted',
      { ticketId: ticket.id, projectId: ticket.projectId, deletedBy: user.id, version, code: ticket.code },
      ticketStream(ticket, version),
    );
  });
}
