/** @module Creates a ticket: next code from the project counter under the row lock, `ticket.created` out. */
import type { Priority } from '@syncro/contracts';
import type { AuthUser } from '@syncro/kit/auth';
import { appendToOutbox } from '@syncro/kit/outbox';
import type { TicketDeps } from '../context.ts';
import { changeProjectWithNewTicket } from '../projects/projectChange.ts';
import type { ProjectRow } from '../projects/projects.model.ts';
import { tickets, type TicketRow } from './tickets.model.ts';

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
    const row = {
      id: Bun.randomUUIDv7(),
      projectId: project.id,
      number: ticketNumber,
      code: `${key}-${ticketNumber}`,
      title: input.title,
      description: input.description ?? null,
      priority: input.priority,
      status: 'OPEN' as const,
      labels: input.labels,
      reporterId: reporter.id,
    };
    // Both statements depend only on the project UPDATE: sent together, they cost one round trip.
    const [[ticket]] = await Promise.all([
      tx.insert(tickets).values(row).returning(),
      appendToOutbox(
        tx,
        'ticket.created',
        {
          ticketId: row.id,
          projectId: project.id,
          reporterId: reporter.id,
          title: row.title,
          priority: row.priority,
          code: row.code,
          status: row.status,
          labels: row.labels,
          version,
        },
        { aggregateType: 'ticket', aggregateId: row.id, streamVersion: version },
      ),
    ]);
    return ticket!;
  });
}
