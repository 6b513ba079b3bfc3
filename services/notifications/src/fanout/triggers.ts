/**
 * @module Who hears about an event, and of what kind. Each resolver reads the projection; what it
 * lacks (the ticket, the project, a recipient's user row) it returns as `needs`, and the event waits
 * in `waiting` until the projection event that brings it re-runs the resolver. Recipients already
 * known are notified now; the delivery log's unique key keeps the re-run from notifying them twice.
 */
import type { Envelope } from '@syncro/contracts';
import { and, eq, inArray, lt } from 'drizzle-orm';
import type { NotifyDeps, Tx } from '../context.ts';
import type { Kind } from '../messages/kinds.ts';
import { comments, members, projects, tickets, users } from '../projection/projection.model.ts';
import { notifyRecipient, type Effects, type Intent } from './recipientNotifier.ts';

export const TRIGGER_TOPICS = ['ticket.assigned', 'ticket.commented', 'ticket.status.updated', 'project.member.added', 'user.created'] as const;
export type TriggerTopic = (typeof TRIGGER_TOPICS)[number];
export type TriggerEvent = { [T in TriggerTopic]: { topic: T; event: Envelope<T> } }[TriggerTopic];

type Recipient = { userId: string; kind: Kind };

const userRow = async (tx: Tx, id: string) => (await tx.select().from(users).where(eq(users.id, id)))[0];

/** `@ada`, `@ada.lovelace`: matches a member by the local part of their email or their name without spaces. */
export function mentionedHandles(content: string): Set<string> {
  const handles = new Set<string>();
  for (const m of content.matchAll(/(^|[^\p{L}\p{N}_.@])@([\p{L}\p{N}_.-]+)/gu)) handles.add(m[2]!.replace(/[.-]+$/, '').toLowerCase());
  return handles;
}

async function mentioned(tx: Tx, projectId: string, content: string): Promise<string[]> {
  const handles = mentionedHandles(content);
  if (handles.size === 0) return [];
  const rows = await tx
    .select({ id: users.id, email: users.email, name: users.name })
    .from(members)
    .innerJoin(users, eq(users.id, members.userId))
    .where(and(eq(members.projectId, projectId), eq(members.active, true)));
  return rows
    .filter((u) => handles.has(u.email.split('@')[0]!.toLowerCase()) || handles.has(u.name.replace(/\s+/g, '').toLowerCase()))
    .map((u) => u.id);
}

/** Who did it, when the message names them. */
function actorOf(t: TriggerEvent): string | null {
  switch (t.topic) {
    case 'ticket.assigned':
      return t.event.assignedBy ?? null;
    case 'ticket.commented':
      return t.event.authorId;
    case 'ticket.status.updated':
      return t.event.updatedBy;
    case 'project.member.added':
      return t.event.actorId;
    default:
      return null;
  }
}

/**
 * Notifies every known recipient of `t`; returns the ids it still needs. The actor's name is
 * waited for too, unless `lenient` (the event has waited long enough: "Someone" will do), since a
 * bot or a user from before this service may never be announced.
 */
export async function resolveTrigger(deps: NotifyDeps, tx: Tx, t: TriggerEvent, effects: Effects, lenient = false): Promise<string[]> {
  const needs: string[] = [];
  let recipients: Recipient[] = [];
  let intent: Omit<Intent, 'kind'>;
  const actor = actorOf(t);
  const actorName = actor ? ((await userRow(tx, actor))?.name ?? null) : null;
  const actorMissing = !lenient && actor !== null && actorName === null;

  switch (t.topic) {
    case 'user.created': {
      recipients = [{ userId: t.event.userId, kind: 'welcome' }];
      intent = { eventId: t.event.eventId, context: {} };
      break;
    }
    case 'project.member.added': {
      const [project] = await tx.select().from(projects).where(eq(projects.id, t.event.projectId));
      if (!project?.name) return [t.event.projectId];
      if (t.event.userId !== t.event.actorId) recipients = [{ userId: t.event.userId, kind: 'member_added' }];
      intent = {
        eventId: t.event.eventId,
        projectId: project.id,
        context: { project: { key: project.key, name: project.name }, actorName },
      };
      break;
    }
    default: {
      const [ticket] = await tx.select().from(tickets).where(eq(tickets.id, t.event.ticketId));
      if (!ticket) return [t.event.ticketId];
      const base = { eventId: t.event.eventId, ticketId: ticket.id, projectId: ticket.projectId };
      const ticketCtx = { code: ticket.code, title: ticket.title };
      if (t.topic === 'ticket.assigned') {
        // Assigning yourself needs no message; automatic assignments have no `assignedBy`.
        if (t.event.assignedBy !== t.event.assigneeId) recipients = [{ userId: t.event.assigneeId, kind: 'assigned' }];
        intent = { ...base, context: { ticket: ticketCtx, actorName } };
      } else if (t.topic === 'ticket.status.updated') {
        recipients = [ticket.reporterId, ticket.assigneeId]
          .filter((id): id is string => id !== null && id !== t.event.updatedBy)
          .map((userId) => ({ userId, kind: 'status_changed' }));
        intent = {
          ...base,
          context: { ticket: ticketCtx, actorName, status: { from: t.event.oldStatus, to: t.event.newStatus } },
        };
      } else {
        const earlier = await tx
          .selectDistinct({ authorId: comments.authorId })
          .from(comments)
          .where(and(eq(comments.ticketId, ticket.id), lt(comments.version, t.event.version)));
        const mentions = new Set(await mentioned(tx, ticket.projectId, t.event.content));
        const followers = new Set([ticket.reporterId, ticket.assigneeId, ...earlier.map((c) => c.authorId)].filter((id): id is string => !!id));
        const all = new Set([...mentions, ...followers]);
        all.delete(t.event.authorId);
        recipients = [...all].map((userId) => ({ userId, kind: mentions.has(userId) ? 'mentioned' : 'commented' }));
        intent = { ...base, context: { ticket: ticketCtx, actorName, excerpt: t.event.content } };
      }
    }
  }

  if (recipients.length === 0) return needs;
  const known = await tx.select().from(users).where(inArray(users.id, recipients.map((r) => r.userId)));
  const byId = new Map(known.map((u) => [u.id, u]));
  if (actorMissing) return [actor!, ...recipients.filter((r) => !byId.has(r.userId)).map((r) => r.userId)];
  for (const r of recipients) {
    const user = byId.get(r.userId);
    if (!user) needs.push(r.userId);
    else await notifyRecipient(deps, tx, { ...intent, kind: r.kind }, user, effects);
  }
  return needs;
}
