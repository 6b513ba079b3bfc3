/**
 * @module One-click unsubscribe (RFC 8058), no login: the signed token names the user, kind and
 * channel. POST (what mailbox providers send, body `List-Unsubscribe=One-Click`) turns it off; GET
 * (a person clicking the link) shows a button that POSTs, so link scanners unsubscribe nobody.
 */
import { InvalidField } from '@syncro/kit/errors';
import { clientAddress, inProcessRateLimiter, takeOrThrow, trustProxyFromEnv } from '@syncro/kit/ratelimit';
import { Elysia } from 'elysia';
import type { NotifyDeps } from './context.ts';
import { escapeHtml } from './messages/templates.ts';
import { verifyUnsubscribeToken } from './messages/unsubscribe.ts';
import { unsubscribe } from './preferences/preferencesUpdater.ts';
import { UnsubscribeQuery } from './schemas.ts';

/** Mail clients post the form body `List-Unsubscribe=One-Click`: this path takes non-JSON bodies. */
export const UNSUBSCRIBE_PATH = '/notifications/unsubscribe';

export const unsubscribeRoutes = (deps: NotifyDeps) => {
  // Public and it writes: a loop of (valid, signed) links from one address is slowed, never served for ever.
  const perClient = inProcessRateLimiter({ limit: 60, windowS: 60 });
  const trustProxy = trustProxyFromEnv();
  const verified = (token: string) => {
    const t = verifyUnsubscribeToken(deps.config.UNSUBSCRIBE_SECRET, token);
    if (!t) throw new InvalidField('token', 'is not a valid unsubscribe link', 'query');
    return t;
  };
  return new Elysia({ name: 'notifications.unsubscribe', prefix: UNSUBSCRIBE_PATH })
    .get(
      '/',
      ({ query }) => {
        const t = verified(query.token);
        return new Response(
          `<!doctype html><meta charset="utf-8"><title>Unsubscribe</title><form method="post" action="?token=${escapeHtml(encodeURIComponent(query.token))}">` +
            `<input type="hidden" name="List-Unsubscribe" value="One-Click"><p>Stop ${escapeHtml(t.kind)} notifications by ${escapeHtml(t.channel)}?</p><button>Unsubscribe</button></form>`,
          { headers: { 'content-type': 'text/html; charset=utf-8' } },
        );
      },
      { query: UnsubscribeQuery, detail: { summary: 'The page an unsubscribe link opens (a confirm button)', tags: ['notifications'] } },
    )
    .post(
      '/',
      async ({ query, request, server }) => {
        await takeOrThrow('unsubscribe requests', [perClient, clientAddress(request, server, trustProxy)]);
        const t = verified(query.token);
        const prefs = await unsubscribe(deps.db, t.userId, t.kind, t.channel);
        return { unsubscribed: { kind: t.kind, channel: t.channel }, channels: prefs.channels[t.kind] };
      },
      { query: UnsubscribeQuery, parse: 'text', detail: { summary: 'One-click unsubscribe (RFC 8058)', tags: ['notifications'] } },
    );
};
