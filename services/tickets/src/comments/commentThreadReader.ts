/** @module Reads a ticket's comments oldest first (ties by id), the order commentPresenter nests them in. */
import { asc, eq } from 'drizzle-orm';
import type { TicketDb } from '../context.ts';
import { comments, type CommentRow } from './comments.model.ts';

export const readCommentThreads = (db: TicketDb, ticketId: string): Promise<CommentRow[]> =>
  db.select().from(comments).where(eq(comments.ticketId, ticketId)).orderBy(asc(comments.createdAt), asc(comments.id));
