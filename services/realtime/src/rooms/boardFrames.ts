/** @module Presenter: a board event (a Ticket Service topic) to the frame clients receive. */
import type { Payload } from '@syncro/contracts';
import { frame } from '@syncro/realtime-client/frames';
import type { BoardEvent } from '../redis/boardLog.ts';

/** The topics the bridge carries into rooms; `ticket.assigned` is not one (`ticket.updated` carries the assignee). */
export const BOARD_TOPICS = [
  'ticket.created',
  'ticket.status.updated',
  'ticket.updated',
  'ticket.commented',
  'ticket.deleted',
  'project.member.added',
  'project.member.removed',
] as const;

export function boardFrame(e: BoardEvent): string {
  const projectId = String(e.data.projectId);
  const version = e.version;
  switch (e.topic) {
    case 'ticket.created': {
      const d = e.data as Payload<'ticket.created'>;
      return frame('ticketCreated', {
        projectId, version, ticketId: d.ticketId, code: d.code, title: d.title, priority: d.priority, status: d.status, labels: d.labels, reporterId: d.reporterId,
      });
    }
    case 'ticket.status.updated': {
      const d = e.data as Payload<'ticket.status.updated'>;
      return frame('ticketMoved', { projectId, version, ticketId: d.ticketId, code: d.code, oldStatus: d.oldStatus, newStatus: d.newStatus, userId: d.updatedBy });
    }
    case 'ticket.updated': {
      const d = e.data as Payload<'ticket.updated'>;
      const assignee = d.changes.assigneeId;
      if (assignee) {
        return frame('ticketAssigned', {
          projectId, version, ticketId: d.ticketId, code: d.code,
          assigneeId: (assignee.to as string | null) ?? null,
          previousAssigneeId: (assignee.from as string | null) ?? null,
          changes: d.changes, updatedBy: d.updatedBy,
        });
      }
      return frame('ticketUpdated', { projectId, version, ticketId: d.ticketId, code: d.code, changes: d.changes, updatedBy: d.updatedBy });
    }
    case 'ticket.commented': {
      const d = e.data as Payload<'ticket.commented'>;
      return frame('ticketCommented', {
        projectId, version, ticketId: d.ticketId, code: d.code, commentId: d.commentId, authorId: d.authorId, content: d.content, parentId: d.parentId,
      });
    }
    case 'ticket.deleted': {
      const d = e.data as Payload<'ticket.deleted'>;
      return frame('ticketDeleted', { projectId, version, ticketId: d.ticketId, code: d.code, deletedBy: d.deletedBy });
    }
    case 'project.member.added':
    case 'project.member.removed': {
      const d = e.data as Payload<'project.member.added'>;
      return frame(e.topic === 'project.member.added' ? 'memberAdded' : 'memberRemoved', { projectId, version, userId: d.userId, role: d.role });
    }
    default:
      // project.created (version 1) and topics added later: the version still counts.
      return frame('versionSkipped', { projectId, version, topic: e.topic });
  }
}
