/** @module Payload builders for tests: the events other services would publish, with fresh ids. */
import type { NotifyHarness } from './harness.ts';

export type Board = Awaited<ReturnType<NotifyHarness['board']>>;

export const assigned = (b: Board, assigneeId: string, assignedBy?: string) => ({
  ticketId: b.ticketId,
  assigneeId,
  assignedAt: new Date().toISOString(),
  projectId: b.projectId,
  strategy: 'manual' as const,
  previousAssigneeId: null,
  ...(assignedBy ? { assignedBy } : {}),
});

export const commented = (b: Board, authorId: string, content: string) => ({
  ticketId: b.ticketId,
  projectId: b.projectId,
  commentId: Bun.randomUUIDv7(),
  authorId,
  content,
  version: b.nextVersion(),
  code: b.code,
  parentId: null,
});
