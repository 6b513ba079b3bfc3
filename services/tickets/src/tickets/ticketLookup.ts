/** @module Finds a ticket by UUID or code, for members of its project only, and checks If-Match. */
import { TICKET_CODE_PATTERN, type ProjectRole } from '@syncro/contracts';
import { BadInput, NotFound, PreconditionFailed } from '@syncro/kit/errors';
import { eq } from 'drizzle-orm';
import type { TicketDb, Tx } from '../context.ts';
import { queries } from '../db/prepared.ts';
import { requireMember, type ProjectAccess } from '../projects/projectAccess.ts';
import { tickets, type TicketRow } from './tickets.model.ts';

export async function findTicket(db: TicketDb, ref: string): Promise<TicketRow | undefined> {
  const q = queries(db);
  const [row] = await (TICKET_CODE_PATTERN.test(ref) ? q.ticketByCode : q.ticketById).execute({ ref });
  return row;
}

/** The ticket and the caller's access to its project; a non-member sees 404 like a missing ticket. */
export async function requireTicket(db: TicketDb, ref: string, userId: string): Promise<{ ticket: TicketRow } & ProjectAccess> {
  const ticket = await findTicket(db, ref);
  if (!ticket) throw new NotFound(`Ticket ${ref}`);
  return { ticket, ...(await requireMember(db, ticket.projectId, userId, `Ticket ${ref}`)) };
}

/** What a change needs to find a ticket: the row itself is read once, under its lock (lockTicket). */
export interface TicketTarget {
  id: string;
  projectId: string;
  code: string;
}

/**
 * For the routes that change a ticket: its identity and the caller's role, one query, no row. A
 * non-member sees 404 like a missing ticket.
 */
export async function requireTicketAccess(db: TicketDb, ref: string, userId: string): Promise<{ target: TicketTarget; role: ProjectRole }> {
  const q = queries(db);
  const [row] = await (TICKET_CODE_PATTERN.test(ref) ? q.ticketAccessByCode : q.ticketAccessById).execute({ ref, userId });
  if (!row?.role) throw new NotFound(`Ticket ${ref}`);
  return { target: { id: row.id, projectId: row.projectId, code: row.code }, role: row.role };
}

/** Reads the ticket under its row lock inside a project change; it may have gone meanwhile. */
export async function lockTicket(tx: Tx, id: string, ref: string): Promise<TicketRow> {
  const [ticket] = await tx.select().from(tickets).where(eq(tickets.id, id)).for('update');
  if (!ticket) throw new NotFound(`Ticket ${ref}`);
  return ticket;
}

/**
 * `If-Match` carries the ETag (`"3"`, `W/"3"`, or a bare `3`) or `*`. Absent means "no condition":
 * clients that do not care about lost updates can still PATCH.
 */
export function checkIfMatch(ifMatch: string | undefined, ticket: TicketRow): void {
  if (ifMatch === undefined || ifMatch.trim() === '*') return;
  const versions = ifMatch.split(',').map((s) => s.trim().replace(/^W\//, '').replaceAll('"', ''));
  if (versions.some((v) => !/^\d+$/.test(v))) {
    throw new BadInput('If-Match must be an ETag such as "3" (the ticket version) or *');
  }
  if (!versions.includes(String(ticket.version))) {
    throw new PreconditionFailed(`The ticket has changed: it is at version ${ticket.version}`, { currentVersion: ticket.version });
  }
}
