/** @module Creates a ticket: next code from the project counter under the row lock, `ticket.created` out. */
import type { Priority } from '@syncro/contracts';
import type { AuthUser } from '@syncro/kit/auth';
import { appendToOutbox } from '@syncro/kit/outbox';
import type { TicketDeps, Tx } from '../context.ts';
import { changeProjectWithNewTicket } from '../projects/projectChange.ts';
import type { ProjectRow } from '../projects/projects.model.ts';
import { sql } from 'drizzle-orm';
import { ticketStream } from './ticketChange.ts';
import type { TicketRow } from './tickets.model.ts';

export interface NewTicket {
  title: string;
  description?: string | null;
  priority: Priority;
  labels: string[];
}

export async function createTicket(
  deps: Pick<TicketDeps, 'db' | 'boardCache' | 'wakeRelay'>,
  project: ProjectRow,
  input: NewTicket,
  reporter: AuthUser,
): Promise<TicketRow> {
  return changeProjectWithNewTicket(deps, project.id, async ({ tx, bump, ticketNumber, key }) => {
    const version = await bump();
    const now = new Date();
    const ticket: TicketRow = {
      id: Bun.randomUUIDv7(),
      projectId: project.id,
      number: ticketNumber,
      code: `${key}-${ticketNumber}`,
      title: input.title,
      description: input.description ?? null,
      priority: input.priority,
      status: 'OPEN',
      labels: input.labels,
      reporterId: reporter.id,
      assigneeId: null,
      assignedAt: null,
      version: 1,
      createdAt: now,
      updatedAt: now,
    };
    // Both statements depend only on the project UPDATE: sent together, they cost one round trip.
    await Promise.all([
      insertTicket(tx, ticket),
      appendToOutbox(
        tx,
        'ticket.created',
        {
          ticketId: ticket.id,
          projectId: project.id,
          reporterId: reporter.id,
          title: ticket.title,
          priority: ticket.priority,
          code: ticket.code,
          status: ticket.status,
          labels: ticket.labels,
          version,
        },
        ticketStream(ticket, version),
      ),
    ]);
    return ticket;
  });
}

/** A template, not the query builder: this runs on every create (see projectChange.ts). */
function insertTicket(tx: Tx, t: TicketRow) {
  const at = t.createdAt.toISOString();
  return tx.execute(sql`
    insert into tickets (id, project_id, number, code, title, description, priority, status, labels,
                         reporter_id, version, created_at, updated_at)
    values (${t.id}, ${t.projectId}, ${t.number}, ${t.code}, ${t.title}, ${t.description}, ${t.priority}, ${t.status},
            array(select jsonb_array_elements_text(${JSON.stringify(t.labels)}::jsonb)),
            ${t.reporterId}, ${t.version}, ${at}::timestamptz, ${at}::timestamptz)`);
}
