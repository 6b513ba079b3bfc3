/** @module API shape of a ticket. */
import type { TicketRow } from './tickets.model.ts';

export const presentTicket = (t: TicketRow) => ({
  id: t.id,
  code: t.code,
  projectId: t.projectId,
  title: t.title,
  description: t.description,
  priority: t.priority,
  status: t.status,
  labels: t.labels,
  reporterId: t.reporterId,
  assigneeId: t.assigneeId,
  version: t.version,
  createdAt: t.createdAt.toISOString(),
  updatedAt: t.updatedAt.toISOString(),
});

export type TicketView = ReturnType<typeof presentTicket>;

/** The ticket version as an ETag, for `If-Match`. */
export const etagOf = (t: TicketRow) => `"${t.version}"`;
