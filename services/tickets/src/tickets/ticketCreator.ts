/** @module Creates a ticket: next code from the project counter under the row lock, `ticket.created` out. */
import type { Priority } from '@syncro/contracts';
import type { AuthUser } from '@syncro/kit/auth';
import { appendToOutbox } from '@syncro/kit/outbox';
import type { TicketDeps } from '../context.ts';
import { changeProjectWithNewTicket } from '../projects/projectChange.ts';
import type { ProjectRow } from '../projects/projects.model.ts';
import { ticketStream } from './ticketChange.ts';
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
    const code = `${key}-${ticketNumber}`;
    const [ticket] = await tx
      .insert(tickets)
      .values({
        id: Bun.randomUUIDv7(),
        projectId: project.id,
        number: ticketNumber,
        code,
        title: input.title,
        description: input.description ?? null,
        priority: input.priority,
        status: 'OPEN',
        labels: input.labels,
        reporterId: reporter.id,
      })
      .returning();
    await appendToOutbox(
      tx,
      'ticket.created',
      {
        ticketId: ticket!.id,
        projectId: project.id,
        reporterId: reporter.id,
        title: ticket!.title,
        priority: ticket!.priority,
        code,
        status: 'OPEN',
        labels: ticket!.labels,
        version,
      },
      ticketStream(ticket!, version),
    );
    return ticket!;
  });
}
