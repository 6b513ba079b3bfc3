/** @module The in-app feed and the delivery log of one user: newest first, cursor = the last id seen. */
import { and, count, desc, eq, isNull, lt } from 'drizzle-orm';
import type { NotifyDb } from '../context.ts';
import { deliveries, type DeliveryStatus } from '../delivery/delivery.model.ts';
import { notifications } from './feed.model.ts';

const DEFAULT_LIMIT = 20;

export async function readFeed(db: NotifyDb, userId: string, q: { cursor?: string | undefined; limit?: number | undefined }) {
  const limit = q.limit ?? DEFAULT_LIMIT;
  const rows = await db
    .select()
    .from(notifications)
    .where(and(eq(notifications.userId, userId), q.cursor ? lt(notifications.id, q.cursor) : undefined))
    .orderBy(desc(notifications.id))
    .limit(limit + 1);
  const [unread] = await db
    .select({ n: count() })
    .from(notifications)
    .where(and(eq(notifications.userId, userId), isNull(notifications.readAt)));
  const page = rows.slice(0, limit);
  return { items: page.map(presentNotification), nextCursor: rows.length > limit ? page.at(-1)!.id : null, unreadCount: unread!.n };
}

export function presentNotification(n: typeof notifications.$inferSelect) {
  return {
    id: n.id,
    kind: n.kind,
    title: n.title,
    body: n.body,
    link: n.link,
    ticketId: n.ticketId,
    projectId: n.projectId,
    read: n.readAt !== null,
    readAt: n.readAt?.toISOString() ?? null,
    createdAt: n.createdAt.toISOString(),
  };
}

export async function readDeliveries(db: NotifyDb, userId: string, q: { cursor?: string | undefined; limit?: number | undefined; status?: DeliveryStatus | undefined }) {
  const limit = q.limit ?? DEFAULT_LIMIT;
  const rows = await db
    .select()
    .from(deliveries)
    .where(
      and(eq(deliveries.userId, userId), q.cursor ? lt(deliveries.id, q.cursor) : undefined, q.status ? eq(deliveries.status, q.status) : undefined),
    )
    .orderBy(desc(deliveries.id))
    .limit(limit + 1);
  const page = rows.slice(0, limit);
  return {
    items: page.map((d) => ({
      id: d.id,
      eventId: d.eventId,
      kind: d.kind,
      channel: d.channel,
      status: d.status,
      reason: d.reason,
      attempts: d.attempts,
      lastError: d.lastError,
      providerMessageId: d.providerMessageId,
      createdAt: d.createdAt.toISOString(),
      updatedAt: d.updatedAt.toISOString(),
    })),
    nextCursor: rows.length > limit ? page.at(-1)!.id : null,
  };
}

