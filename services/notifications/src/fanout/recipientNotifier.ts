/**
 * @module One recipient of one event: preferences → template → a delivery row per channel (pending,
 * or skipped with the reason), the in-app item and its `notification.created` in the same
 * transaction. The unique (event, recipient, channel) key makes a second run a no-op.
 */
import { appendToOutbox } from '@syncro/kit/outbox';
import { eq } from 'drizzle-orm';
import type { FeedItem, NotifyDeps, Tx } from '../context.ts';
import { deliveries, type OutgoingMessage } from '../delivery/delivery.model.ts';
import { notifications } from '../feed/feed.model.ts';
import { CHANNELS, toLocale, type Channel, type Kind } from '../messages/kinds.ts';
import { render, type MessageContext } from '../messages/templates.ts';
import { unsubscribeUrl } from '../messages/unsubscribe.ts';
import { pushSubscriptions } from '../preferences/preferences.model.ts';
import { readPreferences } from '../preferences/preferencesReader.ts';
import type { users } from '../projection/projection.model.ts';

export interface Intent {
  eventId: string;
  kind: Kind;
  context: Omit<MessageContext, 'recipientName'>;
  ticketId?: string;
  projectId?: string;
}

/** What the caller does after commit. */
export interface Effects {
  feed: FeedItem[];
  pending: boolean;
  outbox: boolean;
}

export const noEffects = (): Effects => ({ feed: [], pending: false, outbox: false });

type User = typeof users.$inferSelect;

export async function notifyRecipient(deps: NotifyDeps, tx: Tx, intent: Intent, user: User, effects: Effects): Promise<void> {
  const prefs = await readPreferences(tx, user.id);
  const locale = prefs.locale ?? toLocale(user.locale);
  const unsubscribe = unsubscribeUrl(deps.config.PUBLIC_URL, deps.config.UNSUBSCRIBE_SECRET, user.id, intent.kind, 'email');
  const msg = render(intent.kind, locale, { ...intent.context, recipientName: user.name }, deps.config.APP_URL, unsubscribe);
  const wanted = new Set(prefs.channels[intent.kind]);
  const projectMuted = intent.projectId !== undefined && prefs.mutedProjects.includes(intent.projectId);
  const hasPush =
    wanted.has('push') &&
    (await tx.select({ id: pushSubscriptions.id }).from(pushSubscriptions).where(eq(pushSubscriptions.userId, user.id)).limit(1)).length > 0;

  const skipReason = (channel: Channel): string | null => {
    if (prefs.muted) return 'muted';
    if (projectMuted) return 'project muted';
    if (!wanted.has(channel)) return 'preference';
    if (channel === 'push' && !(deps.config.VAPID_PUBLIC_KEY && deps.config.VAPID_PRIVATE_KEY)) return 'push not configured';
    if (channel === 'push' && !hasPush) return 'no push subscription';
    return null;
  };

  // All of this recipient's rows in one INSERT: the in-app row first, since its item may exist already (a re-run).
  const rows: (typeof deliveries.$inferInsert)[] = [];
  for (const channel of CHANNELS) {
    const reason = skipReason(channel);
    const row = { id: Bun.randomUUIDv7(), eventId: intent.eventId, userId: user.id, channel, kind: intent.kind };
    if (reason) {
      rows.push({ ...row, status: 'skipped', reason });
    } else if (channel === 'in_app') {
      const notificationId = Bun.randomUUIDv7();
      const inserted = await tx
        .insert(notifications)
        .values({
          id: notificationId,
          userId: user.id,
          eventId: intent.eventId,
          kind: intent.kind,
          title: msg.title,
          body: msg.body,
          link: msg.link,
          ticketId: intent.ticketId ?? null,
          projectId: intent.projectId ?? null,
        })
        .onConflictDoNothing()
        .returning({ id: notifications.id });
      if (inserted.length === 0) continue;
      const item: FeedItem = {
        notificationId,
        userId: user.id,
        kind: intent.kind,
        title: msg.title,
        ...(intent.ticketId ? { ticketId: intent.ticketId } : {}),
        ...(intent.projectId ? { projectId: intent.projectId } : {}),
      };
      await appendToOutbox(tx, 'notification.created', item, { aggregateType: 'notification', aggregateId: notificationId });
      rows.push({ ...row, status: 'sent', attempts: 1, providerMessageId: notificationId, message: { channel, notificationId } });
      effects.feed.push(item);
      effects.outbox = true;
    } else {
      const message: OutgoingMessage =
        channel === 'email'
          ? { channel, to: user.email, subject: msg.subject, text: msg.text, html: msg.html, unsubscribeUrl: unsubscribe }
          : { channel, title: msg.title, body: msg.body, url: msg.link };
      rows.push({ ...row, status: 'pending', message });
    }
  }
  if (rows.length === 0) return;
  const inserted = await tx.insert(deliveries).values(rows).onConflictDoNothing().returning({ status: deliveries.status });
  if (inserted.some((r) => r.status === 'pending')) effects.pending = true;
}
