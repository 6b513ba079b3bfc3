/** @module Re-reads a projected ticket under its row lock inside a unit of work; it may have gone meanwhile. */
import { NotFound } from '@syncro/kit/errors';
import { eq } from 'drizzle-orm';
import type { Tx } from '../context.ts';
import { tickets, type TicketRow } from '../projection/projection.model.ts';

export async function lockTicket(tx: Tx, id: string, ref: string): Promise<TicketRow> {
  const [ticket] = await tx.select().from(tickets).where(eq(tickets.id, id)).for('update');
  if (!ticket || ticket.deleted) throw new NotFound(`Ticket ${ref}`);
  return ticket;
}
