/** @module Routes of a signed-in user: feed, read state, deliveries, preferences, project mutes, push subscriptions. Validate → command → presenter. */
import { authGuard } from '@syncro/kit/auth';
import { InvalidField } from '@syncro/kit/errors';
import { eq } from 'drizzle-orm';
import { Elysia } from 'elysia';
import type { NotifyDeps } from './context.ts';
import { readDeliveries, readFeed } from './feed/feedReader.ts';
import { markAllRead, markRead } from './feed/readMarker.ts';
import { pushSubscriptions } from './preferences/preferences.model.ts';
import { readPreferences } from './preferences/preferencesReader.ts';
import { setProjectMute, updatePreferences } from './preferences/preferencesUpdater.ts';
import { projects } from './projection/projection.model.ts';
import { DeliveriesQuery, MuteBody, NotificationParams, PageQuery, PreferencesBody, ProjectParams, PushSubscriptionBody } from './schemas.ts';

const tags = ['notifications'];
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export const notificationRoutes = (deps: NotifyDeps) =>
  new Elysia({ name: 'notifications.user', prefix: '/notifications' })
    .use(authGuard(deps.verify, 'notifications'))
    .get('/', ({ query, user }) => readFeed(deps.db, user.id, query), {
      query: PageQuery,
      detail: { summary: 'Your in-app notifications, newest first, with the unread count', tags },
    })
    .post('/read-all', ({ user }) => markAllRead(deps.db, user.id), { detail: { summary: 'Mark every notification read', tags } })
    .post('/:id/read', ({ params, user }) => markRead(deps.db, user.id, params.id), {
      params: NotificationParams,
      detail: { summary: 'Mark one notification read', tags },
    })
    .get('/deliveries', ({ query, user }) => readDeliveries(deps.db, user.id, query), {
      query: DeliveriesQuery,
      detail: { summary: 'Your delivery log: each event × channel, its status and the failure reason', tags },
    })
    .get('/preferences', ({ user }) => readPreferences(deps.db, user.id), { detail: { summary: 'Your notification preferences', tags } })
    .put('/preferences', ({ body, user }) => updatePreferences(deps.db, user.id, body), {
      body: PreferencesBody,
      detail: { summary: 'Change channels per kind, the global mute or the locale (what is not named stays)', tags },
    })
    .put(
      '/projects/:id/mute',
      async ({ params, body, user }) => {
        let projectId = params.id;
        if (!UUID.test(projectId)) {
          const [p] = await deps.db.select({ id: projects.id }).from(projects).where(eq(projects.key, params.id));
          if (!p) throw new InvalidField('id', `no project with key ${params.id} is known here; use its UUID`, 'params');
          projectId = p.id;
        }
        return setProjectMute(deps.db, user.id, projectId, body.muted);
      },
      { params: ProjectParams, body: MuteBody, detail: { summary: "Mute (or unmute) one project's notifications", tags } },
    )
    .post(
      '/push-subscriptions',
      async ({ body, user, set }) => {
        const [row] = await deps.db
          .insert(pushSubscriptions)
          .values({ id: Bun.randomUUIDv7(), userId: user.id, endpoint: body.endpoint, p256dh: body.keys.p256dh, auth: body.keys.auth })
          .onConflictDoUpdate({ target: pushSubscriptions.endpoint, set: { userId: user.id, p256dh: body.keys.p256dh, auth: body.keys.auth } })
          .returning();
        set.status = 201;
        return { id: row!.id, endpoint: row!.endpoint, vapidPublicKey: deps.config.VAPID_PUBLIC_KEY ?? null };
      },
      { body: PushSubscriptionBody, detail: { summary: 'Register this browser for Web Push (the same endpoint again replaces it)', tags } },
    );
