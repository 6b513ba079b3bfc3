/** @module Edits a ticket's fields (title, description, priority, labels, assignee) with `If-Match`. */
import type { AuthUser } from '@syncro/kit/auth';
import { InvalidField } from '@syncro/kit/errors';
import { appendToOutbox } from '@syncro/kit/outbox';
import { and, eq, sql } from 'drizzle-orm';
import type { TicketDeps } from '../context.ts';
import { projectMembers } from '../projects/projects.model.ts';
import { changeTicket, ticketStream } from './ticketChange.ts';
import type { TicketTarget } from './ticketLookup.ts';
import { tickets, type TicketRow } from './tickets.model.ts';

export interface TicketEdits {
  title?: string;
  description?: string | null;
  priority?: TicketRow['priority'];
  labels?: string[];
  assigneeId?: string | null;
}

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

export async function updateTicket(
  deps: Pick<TicketDeps, 'db' | 'boardCache' | 'wakeRelay'>,
  target: TicketTarget,
  edits: TicketEdits,
  ifMatch: string | undefined,
  user: AuthUser,
): Promise<TicketRow> {
  return changeTicket(deps, target, ifMatch, async ({ tx, bump, ticket }) => {
    const changes: Record<string, { from: unknown; to: unknown }> = {};
    for (const [field, to] of Object.entries(edits) as [keyof TicketEdits, unknown][]) {
      if (to !== undefined && !same(ticket[field], to)) changes[field] = { from: ticket[field], to };
    }
    if (Object.keys(changes).length === 0) return ticket; // nothing changed: no version, no event

    if (changes.assigneeId && edits.assigneeId) {
      const [member] = await tx
        .select({ userId: projectMembers.userId })
        .from(projectMembers)
        .where(and(eq(projectMembers.projectId, ticket.projectId), eq(projectMembers.userId, edits.assigneeId)));
      if (!member) throw new InvalidField('assigneeId', 'must be a member of the project');
    }

    const version = await bump();
    // A manual assignment here is ordered with the Assignment Service's by this time (newest wins).
    const assignedAt = changes.assigneeId ? new Date() : undefined;
    const [updated] = await tx
      .update(tickets)
      .set({
        ...edits,
        ...(assignedAt ? { assignedAt } : {}),
        version: sql`${tickets.version} + 1`,
        updatedAt: new Date(),
      })
      .where(eq(tickets.id, ticket.id))
      .returning();
    await appendToOutbox(
      tx,
      'ticket.updated',
      {
        ticketId: ticket.id,
        projectId: ticket.projectId,
        changes,
        updatedBy: user.id,
        version,
        code: ticket.code,
        ...(assignedAt ? { assignedAt: assignedAt.toISOString() } : {}),
      },
      ticketStream(ticket, version),
    );
    return updated!;
  });
}
