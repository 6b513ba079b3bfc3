/** @module Adds a comment (or a reply in a thread) to a ticket; `ticket.commented` leaves with it. */
import type { AuthUser } from '@syncro/kit/auth';
import { InvalidField } from '@syncro/kit/errors';
import { appendToOutbox } from '@syncro/kit/outbox';
import { and, eq } from 'drizzle-orm';
import type { TicketDeps } from '../context.ts';
import { changeTicket, ticketStream } from '../tickets/ticketChange.ts';
import type { TicketTarget } from '../tickets/ticketLookup.ts';
import type { TicketRow } from '../tickets/tickets.model.ts';
import { comments, type CommentRow } from './comments.model.ts';

export async function addComment(
  deps: Pick<TicketDeps, 'db' | 'boardCache' | 'wakeRelay'>,
  target: TicketTarget,
  input: { content: string; parentId?: string | null },
  author: AuthUser,
): Promise<CommentRow> {
  return changeTicket(deps, target, undefined, async ({ tx, bump, ticket }) => {
    const parentId = input.parentId ?? null;
    if (parentId) {
      const [parent] = await tx.select({ id: comments.id }).from(comments).where(and(eq(comments.id, parentId), eq(comments.ticketId, ticket.id)));
      if (!parent) throw new InvalidField('parentId', 'must be a comment on this ticket');
    }
    const [comment] = await tx
      .insert(comments)
      .values({ id: Bun.randomUUIDv7(), ticketId: ticket.id, parentId, authorId: author.id, content: input.content })
      .returning();
    const version = await bump();
    await appendToOutbox(
      tx,
      'ticket.commented',
      {
        ticketId: ticket.id,
        projectId: ticket.projectId,
        commentId: comment!.id,
        authorId: author.id,
        content: comment!.content,
        version,
        code: ticket.code,
        parentId,
      },
      ticketStream(ticket, version),
    );
    return comment!;
  });
}
