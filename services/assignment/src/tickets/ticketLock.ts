/** @module Re-reads a projected ticket under its row lock inside a unit of work; it may have gone meanwhile. */
import { notFound } from '@syncro/kit/http';
import { eq } from 'drizzle-orm';
import type { Tx } from '../context.ts';
import { tickets, type TicketRow } from '../projection/projection.model.ts';

export async function lockTicket(tx: Tx, id: string, ref: string): Promise<TicketRow> {
  const [ticket] = await tx.select().from(tickets).where(eq(tickets.id, id)).for('update');
  if (!ticket || ticket.deleted) throw notFound(`Ticket ${ref}`);
  return ticket;
}
