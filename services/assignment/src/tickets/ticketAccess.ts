/** @module Finds a ticket of the projection by UUID or code, for members of its project only. */
import { TICKET_CODE_PATTERN } from '@syncro/contracts';
import { NotFound } from '@syncro/kit/errors';
import { eq } from 'drizzle-orm';
import type { AssignDb } from '../context.ts';
import { tickets, type TicketRow } from '../projection/projection.model.ts';
import { requireMember, type ProjectAccess } from '../projects/projectAccess.ts';

/** A ticket this service has not heard of yet (its event is on the way) is a 404 like a missing one. */
export async function requireTicket(db: AssignDb, ref: string, userId: string): Promise<{ ticket: TicketRow } & ProjectAccess> {
  const [ticket] = await db
    .select()
    .from(tickets)
    .where(TICKET_CODE_PATTERN.test(ref) ? eq(tickets.code, ref) : eq(tickets.id, ref));
  if (!ticket || ticket.deleted) throw new NotFound(`Ticket ${ref}`);
  return { ticket, ...(await requireMember(db, ticket.projectId, userId, `Ticket ${ref}`)) };
}
