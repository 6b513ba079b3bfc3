/**
 * @module Applies a `ticket.assigned` from the Assignment Service to the ticket it names, in one
 * project change: inbox record, assignee, ticket and project versions, `ticket.updated` in the
 * outbox; the board cache is dropped after commit. The newest assignment wins (by `assignedAt`).
 */
import type { Envelope } from '@syncro/contracts';
import { PermanentError } from '@syncro/kit/bus';
import { recordOnce } from '@syncro/kit/inbox';
import { appendToOutbox } from '@syncro/kit/outbox';
import { eq, sql } from 'drizzle-orm';
import type { TicketDeps } from '../context.ts';
import { changeProject } from '../projects/projectChange.ts';
import { ticketStream } from '../tickets/ticketChange.ts';
import { tickets } from '../tickets/tickets.model.ts';

/** The inbox name of this consumer; one per database, whatever the Kafka group is called. */
export const ASSIGNED_CONSUMER = 'tickets.ticket-assigned';

export type ApplyOutcome = 'applied' | 'duplicate' | 'superseded' | 'reaffirmed';

export async function applyAssignment(
  deps: Pick<TicketDeps, 'db' | 'boardCache' | 'wakeRelay'>,
  event: Envelope<'ticket.assigned'>,
): Promise<ApplyOutcome> {
  const assignedAt = new Date(event.assignedAt);
  // The ticket is read once, under its lock, after the lock of the project the event names.
  return changeProject(deps, event.projectId, async ({ tx, bump }) => {
    const [ticket] = await tx.select().from(tickets).where(eq(tickets.id, event.ticketId)).for('update');
    // Retrying cannot make a ticket appear (it never existed here, or was deleted): straight to the DLQ.
    if (!ticket) throw new PermanentError(`ticket ${event.ticketId} does not exist`);
    if (ticket.projectId !== event.projectId) {
      throw new PermanentError(`ticket ${event.ticketId} belongs to project ${ticket.projectId}, not ${event.projectId}`);
    }
    if (!(await recordOnce(tx, ASSIGNED_CONSUMER, event.eventId))) return 'duplicate';
    // An assignment made before (or at) the one applied is stale: a manual choice that came
    // later is never undone by an automatic one that was decided earlier but arrived late.
    if (ticket.assignedAt && ticket.assignedAt.getTime() >= assignedAt.getTime()) return 'superseded';
    const [member] = await tx.execute(
      sql`select 1 from project_members where project_id = ${ticket.projectId} and user_id = ${event.assigneeId}`,
    );
    if (!member) throw new PermanentError(`assignee ${event.assigneeId} is not a member of project ${ticket.projectId}`);

    if (ticket.assigneeId === event.assigneeId) {
      // Nothing visible changes: remember the newer time (so older ones stay ignored), no version, no event.
      await tx.execute(sql`update tickets set assigned_at = ${event.assignedAt}::timestamptz where id = ${ticket.id}`);
      return 'reaffirmed';
    }
    const version = await bump();
    await tx.execute(sql`
      update tickets set assignee_id = ${event.assigneeId}, assigned_at = ${event.assignedAt}::timestamptz,
                         version = version + 1, updated_at = now()
      where id = ${ticket.id}`);
    await appendToOutbox(
      tx,
      'ticket.updated',
      {
        ticketId: ticket.id,
        projectId: ticket.projectId,
        changes: { assigneeId: { from: ticket.assigneeId, to: event.assigneeId } },
        updatedBy: event.assignedBy ?? null,
        version,
        code: ticket.code,
        assignedAt: event.assignedAt,
      },
      ticketStream(ticket, version),
    );
    return 'applied';
  });
}
