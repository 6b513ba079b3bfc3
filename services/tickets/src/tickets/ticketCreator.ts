/** @module Creates a ticket: next code from the project counter under the row lock, `ticket.created` out. */
import type { Priority } from '@syncro/contracts';
import type { AuthUser } from '@syncro/kit/auth';
import { appendToOutbox } from '@syncro/kit/outbox';
import { eq, sql } from 'drizzle-orm';
import type { TicketDeps } from '../context.ts';
import { changeProject } from '../projects/projectChange.ts';
import { projects, type ProjectRow } from '../projects/projects.model.ts';
import { ticketStream } from './ticketChange.ts';
import { tickets, type TicketRow } from './tickets.model.ts';

export interface NewTicket {
  title: string;
  description?: string | null;
  priority: Priority;
  labels: string[];
}

export async function createTicket(
  deps: Pick<TicketDeps, 'db' | 'boardCache'>,
  project: ProjectRow,
  input: NewTicket,
  reporter: AuthUser,
): Promise<TicketRow> {
  return changeProject(deps, project.id, async ({ tx, bump }) => {
    const [counter] = await tx
      .update(projects)
      .set({ ticketCounter: sql`${projects.ticketCounter} + 1` })
      .where(eq(projects.id, project.id))
      .returning({ number: projects.ticketCounter, key: projects.key });
    const version = await bump();
    const code = `${counter!.key}-${counter!.number}`;
    const [ticket] = await tx
      .insert(tickets)
      .values({
        id: Bun.randomUUIDv7(),
        projectId: project.id,
        number: counter!.number,
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
