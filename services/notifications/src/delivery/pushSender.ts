/**
 * @module Web Push: the payload encrypted for each of the user's subscriptions (web-push builds the
 * request), sent with fetch. A push service answering 404 or 410 has forgotten the subscription: it
 * is removed. Other 4xx are permanent, 429/5xx and network errors transient.
 */
import { eq } from 'drizzle-orm';
import webpush from 'web-push';
import type { NotifyDb } from '../context.ts';
import { pushSubscriptions } from '../preferences/preferences.model.ts';
import type { OutgoingMessage } from './delivery.model.ts';
import type { SendOutcome } from './emailTransport.ts';

export interface PushSender {
  send(userId: string, message: Extract<OutgoingMessage, { channel: 'push' }>): Promise<SendOutcome>;
}

export function createPushSender(db: NotifyDb, vapid: { subject: string; publicKey: string; privateKey: string }): PushSender {
  return {
    async send(userId, m) {
      const subs = await db.select().from(pushSubscriptions).where(eq(pushSubscriptions.userId, userId));
      if (subs.length === 0) return { ok: false, permanent: true, error: 'no push subscription' };
      const payload = JSON.stringify({ title: m.title, body: m.body, url: m.url });
      const ids: string[] = [];
      const errors: { permanent: boolean; error: string }[] = [];
      for (const s of subs) {
        try {
          const req = webpush.generateRequestDetails({ endpoint: s.endpoint, keys: { p256dh: s.p256dh, auth: s.auth } }, payload, {
            vapidDetails: vapid,
            TTL: 24 * 3600,
          });
          const res = await fetch(req.endpoint, {
            method: req.method,
            headers: req.headers as Record<string, string>,
            body: req.body as unknown as Uint8Array,
            signal: AbortSignal.timeout(10_000),
          });
          if (res.ok) {
            ids.push(res.headers.get('location') ?? `${res.status}`);
          } else if (res.status === 404 || res.status === 410) {
            await db.delete(pushSubscriptions).where(eq(pushSubscriptions.id, s.id));
            errors.push({ permanent: true, error: `${res.status}: subscription expired, removed` });
          } else {
            errors.push({ permanent: res.status < 500 && res.status !== 429, error: `${res.status} ${(await res.text()).slice(0, 200)}` });
          }
        } catch (err) {
          errors.push({ permanent: false, error: (err as Error).message });
        }
      }
      if (ids.length > 0) return { ok: true, providerMessageId: ids.join(' ') };
      return { ok: false, permanent: errors.every((e) => e.permanent), error: errors.map((e) => e.error).join('; ') };
    },
  };
}
