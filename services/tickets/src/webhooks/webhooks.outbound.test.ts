import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { eventually } from '@syncro/testing';
import { startTickets, type Tickets } from '@syncro/tickets/harness';
import { sql } from 'drizzle-orm';
import { Webhook } from 'standardwebhooks';

let t: Tickets;
beforeAll(async () => {
  // Four attempts 100, 200, 400 ms apart: the whole schedule in under a second.
  t = await startTickets({ env: { WEBHOOKS_MAX_ATTEMPTS: '4', WEBHOOKS_BASE_BACKOFF_MS: '100' } });
});
afterAll(() => t.stop());

interface Received { id: string; type: string; data: Record<string, unknown>; verifiedWith: string[] }

/** A receiver like a customer's: verifies each delivery with the `standardwebhooks` package. */
function receiver(secrets: () => string[], answer: () => number = () => 204, port = 0) {
  const got: Received[] = [];
  const server = Bun.serve({
    port,
    hostname: '127.0.0.1',
    async fetch(req) {
      const body = await req.text();
      const headers = Object.fromEntries(req.headers);
      const verifiedWith = secrets().filter((s) => {
        try {
          new Webhook(s).verify(body, headers);
          return true;
        } catch {
          return false;
        }
      });
      if (verifiedWith.length === 0) return new Response('bad signature', { status: 401 });
      const parsed = JSON.parse(body);
      got.push({ id: headers['webhook-id']!, type: parsed.type, data: parsed.data, verifiedWith });
      const status = answer();
      return new Response(status === 500 ? 'boom: database on fire' : null, { status });
    },
  });
  return { got, url: `http://127.0.0.1:${server.port}/hook`, port: server.port!, stop: () => server.stop(true) };
}

async function subscribe(o: Awaited<ReturnType<Tickets['owner']>>, url: string, events: string[]) {
  const res = await o.api.post(`/projects/${o.project.id}/webhooks`, { url, events });
  expect(res.status).toBe(201);
  return res.body as { id: string; secret: string };
}

const deliveries = async (o: Awaited<ReturnType<Tickets['owner']>>, wid: string) => (await o.api.get(`/projects/${o.project.id}/webhooks/${wid}/deliveries`)).body.deliveries as any[];

describe('outbound webhooks', () => {
  test('a subscribed event arrives signed; unsubscribed ones do not; every attempt is logged with status and latency', async () => {
    const o = await t.owner('Listener');
    let secret = '';
    const r = receiver(() => [secret]);
    const ep = await subscribe(o, r.url, ['ticket.created', 'ticket.commented']);
    secret = ep.secret;
    const ticket = (await o.api.post(`/projects/${o.project.id}/tickets`, { title: 'tell the world' })).body;
    await o.api.patch(`/tickets/${ticket.code}`, { title: 'edited: not subscribed' });
    await o.api.post(`/tickets/${ticket.code}/comments`, { content: 'hello' });
    await eventually('both deliveries', () => r.got.length >= 2 && r.got);
    // Sent in parallel, so in any order: the project version in each says which came first.
    const inOrder = r.got.toSorted((a, b) => Number(a.data.version) - Number(b.data.version));
    expect(inOrder.map((g) => [g.type, g.data.code])).toEqual([['ticket.created', ticket.code], ['ticket.commented', ticket.code]]);
    const log = await eventually('recorded', async () => {
      const d = await deliveries(o, ep.id);
      return d.length === 2 && d.every((x) => x.status === 'delivered') && d;
    });
    expect(log[0].attemptLog).toHaveLength(1);
    expect(log[0].attemptLog[0]).toMatchObject({ statusCode: 204, error: null });
    expect(typeof log[0].attemptLog[0].latencyMs).toBe('number');
    expect(new Set(r.got.map((g) => g.id))).toEqual(new Set(log.map((d) => d.id)));
    r.stop();
  });

  test('receiver down → retried, then delivered once when it is back; a manual redeliver sends the same webhook-id again', async () => {
    const o = await t.owner('Patient');
    let secret = '';
    const probe = receiver(() => [secret]);
    const port = probe.port;
    probe.stop(); // nothing listens there now
    const ep = await subscribe(o, `http://127.0.0.1:${port}/hook`, ['ticket.created']);
    secret = ep.secret;
    await o.api.post(`/projects/${o.project.id}/tickets`, { title: 'while it was down' });
    await eventually('two failed attempts', async () => {
      const [d] = await deliveries(o, ep.id);
      return d?.attempts >= 2 && d;
    });
    const back = receiver(() => [secret], () => 200, port);
    const [delivered] = await eventually('delivered', async () => {
      const d = await deliveries(o, ep.id);
      return d[0]?.status === 'delivered' && d;
    });
    expect(back.got).toHaveLength(1);
    expect(delivered.attemptLog.at(-1).statusCode).toBe(200);
    expect(delivered.attemptLog.slice(0, -1).every((a: { error: string | null }) => a.error !== null)).toBe(true);

    const again = await o.api.post(`/projects/${o.project.id}/webhooks/${ep.id}/deliveries/${delivered.id}/redeliver`);
    expect(again.status).toBe(202);
    await eventually('redelivered', () => back.got.length === 2);
    expect(back.got[1]!.id).toBe(back.got[0]!.id);
    back.stop();
  });

  test('a receiver answering 500 for ever: the whole schedule, then the endpoint is disabled and the owner sees why', async () => {
    const o = await t.owner('Doomed');
    let secret = '';
    const r = receiver(() => [secret], () => 500);
    const ep = await subscribe(o, r.url, ['ticket.created']);
    secret = ep.secret;
    await o.api.post(`/projects/${o.project.id}/tickets`, { title: 'nobody listens' });
    const endpoint = await eventually('disabled', async () => {
      const list = (await o.api.get(`/projects/${o.project.id}/webhooks`)).body.endpoints;
      return list[0]?.enabled === false && list[0];
    });
    expect(endpoint.disabledReason).toBe('gave up after 4 attempts: answered 500');
    const [d] = await deliveries(o, ep.id);
    expect(d).toMatchObject({ status: 'failed', attempts: 4 });
    expect(d.attemptLog.map((a: { statusCode: number }) => a.statusCode)).toEqual([500, 500, 500, 500]);
    expect(d.attemptLog[0].responseExcerpt).toBe('boom: database on fire');
    expect(r.got).toHaveLength(4);
    // Disabled: new events are not queued for it.
    await o.api.post(`/projects/${o.project.id}/tickets`, { title: 'after' });
    await Bun.sleep(500);
    expect(await deliveries(o, ep.id)).toHaveLength(1);
    r.stop();
  });

  test('after a rotation deliveries carry both signatures during the grace period', async () => {
    const o = await t.owner('Rotator');
    const secrets: string[] = [];
    const r = receiver(() => secrets);
    const ep = await subscribe(o, r.url, ['ticket.created']);
    const rotated = (await o.api.post(`/projects/${o.project.id}/webhooks/${ep.id}/rotate`, { graceSeconds: 60 })).body;
    secrets.push(ep.secret, rotated.secret);
    await o.api.post(`/projects/${o.project.id}/tickets`, { title: 'signed twice' });
    await eventually('delivered', () => r.got.length === 1);
    expect(r.got[0]!.verifiedWith).toEqual([ep.secret, rotated.secret]);
    r.stop();
  });

  test('bad subscriptions: unknown event type, not a URL → 422 naming the field; members may not subscribe', async () => {
    const o = await t.owner('Strict');
    const bad = await o.api.post(`/projects/${o.project.id}/webhooks`, { url: 'http://127.0.0.1:9/x', events: ['ticket.exploded'] });
    expect([bad.status, bad.body.error.message.includes('events')]).toEqual([422, true]);
    const notUrl = await o.api.post(`/projects/${o.project.id}/webhooks`, { url: 'nope', events: ['ticket.created'] });
    expect([notUrl.status, notUrl.body.error.message.includes('url')]).toEqual([422, true]);
    const { newUser } = await import('@syncro/testing');
    const m = newUser('M');
    await o.api.post(`/projects/${o.project.id}/members`, { userId: m.id });
    expect((await (await t.as(m)).post(`/projects/${o.project.id}/webhooks`, { url: 'http://127.0.0.1:9/x', events: ['ticket.created'] })).status).toBe(403);
  });
});

describe('outbound webhooks without WEBHOOKS_ALLOW_PRIVATE', () => {
  let strict: Tickets;
  beforeAll(async () => {
    strict = await startTickets({ env: { WEBHOOKS_ALLOW_PRIVATE: '0' } });
  });
  afterAll(() => strict.stop());

  test('a private target is refused at subscription (422) and, if its name later resolves privately, at delivery: disabled with the reason, nothing sent', async () => {
    const o = await strict.owner('Careful');
    for (const url of ['http://127.0.0.1:8080/x', 'http://169.254.169.254/latest/meta-data', 'http://[::1]/x', 'http://localhost/x', 'http://10.0.0.7/x']) {
      const res = await o.api.post(`/projects/${o.project.id}/webhooks`, { url, events: ['ticket.created'] });
      expect([url, res.status, res.body.error.message.includes('url')]).toEqual([url, 422, true]);
    }
    const r = receiver(() => []);
    // As if the name had pointed elsewhere when it was subscribed: the check before each attempt catches it.
    const id = Bun.randomUUIDv7();
    await strict.service.deps.db.execute(sql`insert into webhook_endpoints (id, project_id, url, events, secret, created_by)
      values (${id}, ${o.project.id}, ${`http://localhost:${r.port}/hook`}, '{ticket.created}', 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw', ${o.user.id})`);
    await o.api.post(`/projects/${o.project.id}/tickets`, { title: 'must not leave' });
    const endpoint = await eventually('disabled', async () => {
      const list = (await o.api.get(`/projects/${o.project.id}/webhooks`)).body.endpoints;
      return list[0]?.enabled === false && list[0];
    });
    expect(endpoint.disabledReason).toContain('target refused: localhost resolves to');
    expect(r.got).toHaveLength(0);
    r.stop();
  });
});
