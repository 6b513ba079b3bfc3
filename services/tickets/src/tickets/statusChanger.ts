/** @module Moves a ticket along the workflow; a refused move is a 409 listing the allowed targets. */
import type { TicketStatus } from '@syncro/contracts';
import type { AuthUser } from '@syncro/kit/auth';
import { Conflict } from '@syncro/kit/errors';
import { appendToOutbox } from '@syncro/kit/outbox';
import { eq, sql } from 'drizzle-orm';
import type { TicketDeps } from '../context.ts';
import { changeTicket, ticketStream } from './ticketChange.ts';
import type { TicketTarget } from './ticketLookup.ts';
import { tickets, type TicketRow } from './tickets.model.ts';
import { checkTransition } from './workflow.ts';

export async function changeStatus(
  deps: Pick<TicketDeps, 'db' | 'boardCache' | 'wakeRelay'>,
  target: TicketTarget,
  to: TicketStatus,
  ifMatch: string | undefined,
  user: AuthUser,
): Promise<TicketRow> {
  return changeTicket(deps, target, ifMatch, async ({ tx, bump, ticket }) => {
    const verdict = checkTransition(ticket.status, to, ticket);
    if (!verdict.ok) {
      throw new Conflict(verdict.code, verdict.message, { from: ticket.status, to, allowed: verdict.allowed });
    }
    const version = await bump();
    const [updated] = await tx
      .update(tickets)
      .set({ status: to, version: sql`${tickets.version} + 1`, updatedAt: new Date() })
      .where(eq(tickets.id, ticket.id))
      .returning();
    await appendToOutbox(
      tx,
      'ticket.status.updated',
      { ticketId: ticket.id, oldStatus: ticket.status, newStatus: to, updatedBy: user.id, projectId: ticket.projectId, code: ticket.code, version },
      ticketStream(ticket, version),
    );
    return updated!;
  });
}
