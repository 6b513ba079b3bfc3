/** @module Marks feed items read: one (only the owner's; 404 otherwise), or all of a user's. */
import { NotFound } from '@syncro/kit/errors';
import { and, eq, isNull, sql } from 'drizzle-orm';
import type { NotifyDb } from '../context.ts';
import { notifications } from './feed.model.ts';
import { presentNotification } from './feedReader.ts';

export async function markRead(db: NotifyDb, userId: string, id: string) {
  const [row] = await db
    .update(notifications)
    .set({ readAt: sql`coalesce(${notifications.readAt}, now())` })
    .where(and(eq(notifications.id, id), eq(notifications.userId, userId)))
    .returning();
  if (!row) throw new NotFound(`notification ${id}`);
  return presentNotification(row);
}

export async function markAllRead(db: NotifyDb, userId: string) {
  const rows = await db
    .update(notifications)
    .set({ readAt: sql`now()` })
    .where(and(eq(notifications.userId, userId), isNull(notifications.readAt)))
    .returning({ id: notifications.id });
  return { updated: rows.length, unreadCount: 0 };
}
