/**
 * @module Deletes a ticket and its comments; its code is never handed out again. Only its reporter
 * or an owner of its project may: other members can edit and move it, not make it disappear.
 */
import type { AuthUser } from '@syncro/kit/auth';
import { Forbidden } from '@syncro/kit/errors';
import { appendToOutbox } from '@syncro/kit/outbox';
import type { ProjectRole } from '@syncro/contracts';
import { eq } from 'drizzle-orm';
import type { TicketDeps } from '../context.ts';
import { changeTicket, ticketStream } from './ticketChange.ts';
import type { TicketTarget } from './ticketLookup.ts';
import { tickets } from './tickets.model.ts';

export async function deleteTicket(
  deps: Pick<TicketDeps, 'db' | 'boardCache' | 'wakeRelay'>,
  target: TicketTarget,
  ifMatch: string | undefined,
  user: AuthUser,
  role: ProjectRole,
): Promise<void> {
  await changeTicket(deps, target, ifMatch, async ({ tx, bump, ticket }) => {
    if (ticket.reporterId !== user.id && role !== 'owner') {
      throw new Forbidden('Only the reporter of a ticket or a project owner can delete it', 'NOT_REPORTER_OR_OWNER');
    }
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
