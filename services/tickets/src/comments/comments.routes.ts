/** @module Routes: comments on a ticket. */
import { authGuard } from '@syncro/kit/auth';
import { CommentView, ThreadListView, guardedErrors } from '../responses.schema.ts';
import { Elysia } from 'elysia';
import * as v from 'valibot';
import type { TicketDeps } from '../context.ts';
import { requireTicket } from '../tickets/ticketLookup.ts';
import { Id } from '../projects/projects.schema.ts';
import { TicketParams } from '../tickets/tickets.schema.ts';
import { addComment } from './commentAdder.ts';
import { presentComment, presentThreads } from './commentPresenter.ts';
import { readCommentThreads } from './commentThreadReader.ts';

const AddCommentBody = v.strictObject({
  content: v.pipe(v.string(), v.trim(), v.minLength(1, 'must not be empty'), v.maxLength(10_000)),
  parentId: v.optional(v.nullable(Id)),
});

export const commentRoutes = (deps: TicketDeps) =>
  new Elysia({ name: 'tickets.comments' })
    .use(authGuard(deps.verify, 'tickets'))
    .post(
      '/tickets/:id/comments',
      async ({ params, body, user, set }) => {
        // The membership check is part of the comment's one statement.
        const comment = await addComment(deps, params.id, body, user);
        set.status = 201;
        return presentComment(comment);
      },
      { params: TicketParams, body: AddCommentBody, response: { 201: CommentView, ...guardedErrors }, detail: { summary: 'Comment on a ticket, or reply with parentId', tags: ['comments'] } },
    )
    .get(
      '/tickets/:id/comments',
      async ({ params, user }) => {
        const { ticket } = await requireTicket(deps.db, params.id, user.id);
        return { ticketId: ticket.id, comments: presentThreads(await readCommentThreads(deps.db, ticket.id)) };
      },
      { params: TicketParams, response: { 200: ThreadListView, ...guardedErrors }, detail: { summary: 'Comment threads, oldest first', tags: ['comments'] } },
    );
