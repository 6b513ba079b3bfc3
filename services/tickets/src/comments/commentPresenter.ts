/** @module API shape of comments: threads (top-level comments with their replies), oldest first. */
import type { CommentRow } from './comments.model.ts';

export const presentComment = (c: CommentRow) => ({
  id: c.id,
  ticketId: c.ticketId,
  parentId: c.parentId,
  authorId: c.authorId,
  content: c.content,
  createdAt: c.createdAt.toISOString(),
});

type CommentView = ReturnType<typeof presentComment> & { replies: CommentView[] };

/** `rows` must be oldest first; replies nest under their parent at any depth. */
export function presentThreads(rows: CommentRow[]): CommentView[] {
  const byId = new Map<string, CommentView>();
  const roots: CommentView[] = [];
  for (const row of rows) byId.set(row.id, { ...presentComment(row), replies: [] });
  for (const row of rows) {
    const view = byId.get(row.id)!;
    const parent = row.parentId ? byId.get(row.parentId) : undefined;
    (parent ? parent.replies : roots).push(view);
  }
  return roots;
}
