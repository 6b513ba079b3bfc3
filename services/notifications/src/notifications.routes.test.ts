import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { createECDH, randomBytes } from 'node:crypto';
import { collectEvents, eventually, newUser } from '@syncro/testing';
import { RedisClient } from 'bun';
import { eq } from 'drizzle-orm';
import webpush from 'web-push';
import { assigned } from '../test/events.ts';
import { BROKERS, REDIS_URL, startNotify, type NotifyHarness } from '../test/harness.ts';
import { pushSubscriptions } from './preferences/preferences.model.ts';

/** A local push service: records what it is sent; `/gone/*` answers 410 as for an expired subscription. */
const pushed: { path: string; headers: Headers; bytes: number }[] = [];
const pushService = Bun.serve({
  hostname: '127.0.0.1',
  port: 0,
  async fetch(req) {
    const path = new URL(req.url).pathname;
    const bytes = (await req.arrayBuffer()).byteLength;
    pushed.push({ path, headers: req.headers, bytes });
    if (path.startsWith('/gone/')) return new Response('gone', { status: 410 });
    return new Response(null, { status: 201, headers: { location: `${path}/messages/${pushed.length}` } });
  },
});

const subscription = (path: string) => {
  const ecdh = createECDH('prime256v1');
  ecdh.generateKeys();
  return { endpoint: `http://127.0.0.1:${pushService.port}${path}`, keys: { p256dh: ecdh.getPublicKey('base64url'), auth: randomBytes(16).toString('base64url') } };
};

let h: NotifyHarness;
beforeAll(async () => {
  const vapid = webpush.generateVAPIDKeys();
  h = await startNotify({ env: { VAPID_PUBLIC_KEY: vapid.publicKey, VAPID_PRIVATE_KEY: vapid.privateKey } });
}, 60_000);
afterAll(async () => {
  await h?.stop();
  await pushService.stop(true);
});

describe('in-app feed', () => {
  test('newest first, cursor pages, unread count, read one, read all; someone else cannot read mine', async () => {
    const owner = await h.user('Owner Feed');
    const fay = await h.user('Fay Feed');
    const boards = [];
    for (let i = 0; i < 4; i++) boards.push(await h.board([owner, fay], `Feed ${i}`));
    const api = await h.as(fay);
    // A welcome and four "added to project" notifications.
    const all = await eventually('five notifications', async () => {
      const r = await api.get('/notifications?limit=100');
      return r.body.items?.length === 5 && r.body;
    });
    expect(all.unreadCount).toBe(5);
    expect(all.items.map((n: any) => n.id)).toEqual(all.items.map((n: any) => n.id).toSorted().toReversed());
    // Fan-out runs several events at once, so their order in the feed is the order they were handled.
    expect(all.items.map((n: any) => n.kind).sort()).toEqual(['member_added', 'member_added', 'member_added', 'member_added', 'welcome']);
    const added = all.items.filter((n: any) => n.kind === 'member_added');
    expect(added.map((n: any) => n.projectId).sort()).toEqual(boards.map((b) => b.projectId).sort());
    const first = boards.find((b) => b.projectId === added[0].projectId)!;
    expect(added[0]).toMatchObject({ read: false, link: `https://board.example.test/projects/${first.key}`, title: `Te han añadido al proyecto Proyecto ${first.key}` });

    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const page: any = (await api.get(`/notifications?limit=2${cursor ? `&cursor=${cursor}` : ''}`)).body;
      seen.push(...page.items.map((n: any) => n.id));
      cursor = page.nextCursor;
      pages++;
    } while (cursor);
    expect(pages).toBe(3);
    expect(seen).toEqual(all.items.map((n: any) => n.id));

    const stranger = await h.as(newUser('Stranger'));
    expect((await stranger.post(`/notifications/${seen[0]}/read`)).status).toBe(404);
    const one = await api.post(`/notifications/${seen[0]}/read`);
    expect(one.status).toBe(200);
    expect(one.body).toMatchObject({ id: seen[0], read: true });
    expect((await api.get('/notifications?limit=1')).body).toMatchObject({ unreadCount: 4, items: [{ id: seen[0], read: true }] });
    const rest = await api.post('/notifications/read-all');
    expect(rest.body.updated).toBe(4);
    expect((await api.get('/notifications')).body.unreadCount).toBe(0);
  }, 30_000);

  test('a new in-app notification is published on Redis user:{id} and as notification.created', async () => {
    const owner = await h.user('Owner Live');
    const liv = await h.user('Liv Live');
    const b = await h.board([owner, liv]);
    await eventually('the member notification', async () => (await (await h.as(liv)).get('/notifications')).body.items?.length === 2);

    const sub = new RedisClient(REDIS_URL);
    const frames: any[] = [];
    await sub.subscribe(`user:${liv.id}`, (message) => frames.push(JSON.parse(message)));
    const events = await collectEvents(BROKERS, ['notification.created']);
    try {
      await h.publish('ticket.assigned', assigned(b, liv.id, owner.id));
      const [frame] = await eventually('the Redis frame', () => frames.length > 0 && frames);
      expect(frame).toMatchObject({ userId: liv.id, kind: 'assigned', ticketId: b.ticketId, projectId: b.projectId });
      expect(frame.title).toContain(b.code);
      const [event] = await events.waitFor((m) => m.some((e) => e.value.notificationId === frame.notificationId));
      // Earlier items' events may still be on their way from the outbox: count this one's.
      const mine = events.messages.filter((e) => e.value.userId === liv.id && e.value.kind === 'assigned');
      expect(mine).toHaveLength(1);
      expect(mine[0]!.key).toBe(liv.id);
      expect(mine[0]!.value).toMatchObject({ notificationId: frame.notificationId, kind: 'assigned', title: frame.title });
      expect(event).toBeDefined();
    } finally {
      await events.stop();
      sub.close();
    }
  }, 30_000);
});

describe('Web Push', () => {
  test('a registered browser gets the push; an expired subscription (410) is removed', async () => {
    const owner = await h.user('Owner Push');
    const pia = await h.user('Pia Push');
    const api = await h.as(pia);
    expect((await api.put('/notifications/preferences', { channels: { assigned: ['push', 'in_app'] } })).status).toBe(200);
    const live = subscription(`/live/${pia.id}`);
    const gone = subscription(`/gone/${pia.id}`);
    const reg = await api.post('/notifications/push-subscriptions', live);
    expect(reg.status).toBe(201);
    expect(reg.body.vapidPublicKey).toBe(h.config.VAPID_PUBLIC_KEY);
    expect((await api.post('/notifications/push-subscriptions', gone)).status).toBe(201);

    const b = await h.board([owner, pia]);
    await h.publish('ticket.assigned', assigned(b, pia.id, owner.id));
    const row = await eventually('the push delivery', async () => {
      const r = (await h.deliveries(pia)).find((d) => d.kind === 'assigned' && d.channel === 'push');
      return r?.status === 'sent' && r;
    });
    const toLive = pushed.filter((p) => p.path === `/live/${pia.id}`);
    expect(toLive).toHaveLength(1);
    expect(toLive[0]!.headers.get('content-encoding')).toBe('aes128gcm');
    expect(toLive[0]!.headers.get('authorization')).toStartWith('vapid t=');
    expect(toLive[0]!.bytes).toBeGreaterThan(100);
    expect(row.providerMessageId).toContain(`/live/${pia.id}/messages/`);
    expect(pushed.filter((p) => p.path === `/gone/${pia.id}`)).toHaveLength(1);
    const left = await h.service.deps.db.select().from(pushSubscriptions).where(eq(pushSubscriptions.userId, pia.id));
    expect(left.map((s) => s.endpoint)).toEqual([live.endpoint]);
    const mail = (await h.deliveries(pia)).find((d) => d.kind === 'assigned' && d.channel === 'email');
    expect(mail).toMatchObject({ status: 'skipped', reason: 'preference' });
  }, 30_000);
});

describe('bad input: a 4xx naming the field, nothing written', () => {
  test('every endpoint', async () => {
    const bea = newUser('Bea Bad');
    const api = await h.as(bea);
    const refuses = async (res: Promise<{ status: number; body: any }>, field: string) => {
      const r = await res;
      expect(r.status).toBeGreaterThanOrEqual(400);
      expect(r.status).toBeLessThan(500);
      expect(r.body.error.code).toBeString();
      expect(JSON.stringify(r.body.error)).toContain(field);
    };
    await refuses(api.get('/notifications?limit=0'), 'limit');
    await refuses(api.get('/notifications?limit=abc'), 'limit');
    await refuses(api.get('/notifications?cursor=nope'), 'cursor');
    await refuses(api.get('/notifications/deliveries?status=lost'), 'status');
    await refuses(api.get('/notifications/deliveries?limit=101'), 'limit');
    await refuses(api.post('/notifications/not-a-uuid/read'), 'id');
    await refuses(api.put('/notifications/preferences', { channels: { assigned: ['fax'] } }), 'assigned');
    await refuses(api.put('/notifications/preferences', { channels: { gossip: [] } }), 'gossip');
    await refuses(api.put('/notifications/preferences', { locale: 'fr' }), 'locale');
    await refuses(api.put('/notifications/preferences', { muted: 'yes' }), 'muted');
    await refuses(api.put('/notifications/preferences', {}), 'channels, muted, locale');
    const malformed = await api.raw('PUT', '/notifications/preferences', '{"muted": tru', { 'content-type': 'application/json' });
    expect(malformed.status).toBe(400);
    await refuses(api.put('/notifications/projects/lower-case/mute', { muted: true }), 'id');
    await refuses(api.put(`/notifications/projects/${Bun.randomUUIDv7()}/mute`, { muted: 1 }), 'muted');
    await refuses(api.put('/notifications/projects/NOSUCH/mute', { muted: true }), 'id');
    await refuses(api.post('/notifications/push-subscriptions', { endpoint: 'ftp://push.example/x', keys: subscription('/x').keys }), 'endpoint');
    await refuses(api.post('/notifications/push-subscriptions', { endpoint: 'https://push.example/x' }), 'keys');
    await refuses(api.post('/notifications/push-subscriptions', { endpoint: 'https://push.example/x', keys: { p256dh: 'short', auth: 'x' } }), 'p256dh');
    const noToken = await fetch(`${h.url}/notifications/unsubscribe`, { method: 'POST' });
    expect(noToken.status).toBeGreaterThanOrEqual(400);
    expect(noToken.status).toBeLessThan(500);
    expect(await noToken.text()).toContain('token');
    expect((await fetch(`${h.url}/notifications`)).status).toBe(401);

    const prefs = (await api.get('/notifications/preferences')).body;
    expect(prefs).toEqual({
      locale: null,
      muted: false,
      channels: {
        assigned: ['email', 'in_app'],
        commented: ['email', 'in_app'],
        mentioned: ['email', 'in_app'],
        status_changed: ['in_app'],
        member_added: ['email', 'in_app'],
        welcome: ['email', 'in_app'],
      },
      mutedProjects: [],
    });
    expect(await h.service.deps.db.select().from(pushSubscriptions).where(eq(pushSubscriptions.userId, bea.id))).toEqual([]);
  }, 30_000);
});
