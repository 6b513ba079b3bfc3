import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { newUser } from '@syncro/testing';
import { startTickets, type Tickets } from '@syncro/tickets/harness';
import { sql } from 'drizzle-orm';
import { Webhook } from 'standardwebhooks';

let t: Tickets;
beforeAll(async () => {
  t = await startTickets({ env: { HOOKS_RATE_LIMIT: '40' } });
});
afterAll(() => t.stop());

/** A Standard Webhooks delivery as any sender makes it with the `standardwebhooks` package. */
function signed(secret: string, body: unknown, o: { id?: string; at?: Date; raw?: string } = {}) {
  const id = o.id ?? `msg_${crypto.randomUUID()}`;
  const at = o.at ?? new Date();
  const raw = o.raw ?? JSON.stringify(body);
  return {
    id,
    raw,
    headers: { 'content-type': 'application/json', 'webhook-id': id, 'webhook-timestamp': String(Math.floor(at.getTime() / 1000)), 'webhook-signature': new Webhook(secret).sign(id, at, raw) },
  };
}

const post = (integrationId: string, d: { raw: string; headers: Record<string, string> }) =>
  fetch(`${t.url}/hooks/${integrationId}`, { method: 'POST', body: d.raw, headers: d.headers }).then(async (r) => ({ status: r.status, headers: r.headers, body: (await r.json()) as any }));

async function counts(projectId: string) {
  const [r] = await t.service.deps.db.execute<{ tickets: number; events: number; accepted: number }>(sql`
    select (select count(*)::int from tickets where project_id = ${projectId}) as tickets,
           (select count(*)::int from outbox where partition_key = ${projectId}) as events,
           (select count(*)::int from integration_deliveries d join integrations i on i.id = d.integration_id where i.project_id = ${projectId} and d.accepted) as accepted`);
  return r!;
}

async function connect(defaults?: { priority?: 'LOW' | 'MEDIUM' | 'HIGH' | 'URGENT'; labels?: string[] }) {
  const o = await t.owner('Hooker');
  const res = await o.api.post(`/projects/${o.project.id}/integrations`, { kind: 'generic', name: 'CI alerts', ...(defaults ? { defaults } : {}) });
  expect(res.status).toBe(201);
  return { ...o, integration: res.body as { id: string; url: string; secret: string; botUserId: string; botName: string } };
}

describe('generic integrations (Standard Webhooks)', () => {
  test('the owner connects one: its URL and secret once, a bot member; others may not; the list shows no secret', async () => {
    const { api, project, integration } = await connect({ priority: 'HIGH', labels: ['ci'] });
    expect(integration.url).toBe(`${t.url}/hooks/${integration.id}`);
    expect(integration.secret).toMatch(/^whsec_/);
    expect(integration.botName).toBe('CI alerts (integration)');
    const members = await api.get(`/projects/${project.id}/members`);
    expect(members.body.members.map((m: { userId: string }) => m.userId)).toContain(integration.botUserId);
    const list = await api.get(`/projects/${project.id}/integrations`);
    expect(list.status).toBe(200);
    expect(JSON.stringify(list.body)).not.toContain(integration.secret);

    const member = newUser('Member');
    await api.post(`/projects/${project.id}/members`, { userId: member.id });
    const asMember = await t.as(member);
    expect((await asMember.post(`/projects/${project.id}/integrations`, { kind: 'generic', name: 'x' })).status).toBe(403);
    expect((await asMember.get(`/projects/${project.id}/integrations/${integration.id}/deliveries`)).status).toBe(403);
    // Members may read who the bot is, to show its name on what it reported.
    const bots = await asMember.get(`/projects/${project.id}/bots`);
    expect(bots.body.bots).toEqual([{ userId: integration.botUserId, name: 'CI alerts (integration)', kind: 'generic', integrationId: integration.id }]);
    expect((await t.anonymous.get(`/projects/${project.id}/bots`)).status).toBe(401);
    expect((await api.post(`/projects/${project.id}/integrations`, { kind: 'jira', name: 'x' })).body.error.message).toContain('kind');
  });

  test('a signed delivery creates a ticket reported by the bot with the defaults; a replay answers the same and changes nothing', async () => {
    const { api, project, integration } = await connect({ priority: 'HIGH', labels: ['ci'] });
    const d = signed(integration.secret, { title: 'Build failed on main', description: 'job 42', labels: ['build'] });
    const first = await post(integration.id, d);
    expect(first.status).toBe(201);
    expect(first.body).toMatchObject({ deliveryId: d.id, outcome: 'created', ticket: { code: `${project.key}-1` } });
    const ticket = await api.get(`/tickets/${first.body.ticket.code}`);
    expect(ticket.body).toMatchObject({ title: 'Build failed on main', description: 'job 42', priority: 'HIGH', labels: ['ci', 'build'], reporterId: integration.botUserId, status: 'OPEN' });
    const before = await counts(project.id);
    expect(before).toMatchObject({ tickets: 1, accepted: 1 });

    const again = await post(integration.id, d);
    expect(again.status).toBe(201);
    expect(again.body).toEqual(first.body);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    // Redelivered at once by several senders: one effect, the same answer for all.
    const twin = signed(integration.secret, { title: 'Disk full' });
    const answers = await Promise.all(Array.from({ length: 6 }, () => post(integration.id, twin)));
    expect(new Set(answers.map((a) => JSON.stringify([a.status, a.body]))).size).toBe(1);
    expect(await counts(project.id)).toEqual({ tickets: 2, events: before.events + 1, accepted: 2 });
  });

  test('a later delivery with the same externalId updates that ticket', async () => {
    const { api, project, integration } = await connect();
    const created = await post(integration.id, signed(integration.secret, { title: 'CPU high on db-1', externalId: 'alert-7', priority: 'LOW' }));
    expect(created.status).toBe(201);
    const updated = await post(integration.id, signed(integration.secret, { title: 'CPU critical on db-1', externalId: 'alert-7', priority: 'URGENT' }));
    expect(updated.status).toBe(200);
    expect(updated.body).toMatchObject({ outcome: 'updated', ticket: created.body.ticket });
    expect((await api.get(`/tickets/${created.body.ticket.code}`)).body).toMatchObject({ title: 'CPU critical on db-1', priority: 'URGENT', version: 2 });
    expect((await counts(project.id)).tickets).toBe(1);
  });

  test('refusals: stale, future, tampered, wrong secret, unsigned → 401; bad body → 422 naming the field; unknown or disabled → 404; > 1 MiB → 413; nothing written', async () => {
    const { api, project, integration } = await connect();
    const body = { title: 'nope' };
    const before = await counts(project.id);
    const stale = await post(integration.id, signed(integration.secret, body, { at: new Date(Date.now() - 6 * 60_000) }));
    expect([stale.status, stale.body.error.code]).toEqual([401, 'TIMESTAMP_OUT_OF_TOLERANCE']);
    const future = await post(integration.id, signed(integration.secret, body, { at: new Date(Date.now() + 6 * 60_000) }));
    expect([future.status, future.body.error.code]).toEqual([401, 'TIMESTAMP_OUT_OF_TOLERANCE']);
    const tampered = signed(integration.secret, body);
    expect((await post(integration.id, { ...tampered, raw: JSON.stringify({ title: 'evil' }) })).status).toBe(401);
    const other = `whsec_${Buffer.from(crypto.getRandomValues(new Uint8Array(24))).toString('base64')}`;
    const wrong = await post(integration.id, signed(other, body));
    expect([wrong.status, wrong.body.error.code]).toEqual([401, 'SIGNATURE_INVALID']);
    const unsigned = await post(integration.id, { raw: JSON.stringify(body), headers: { 'content-type': 'application/json' } });
    expect([unsigned.status, unsigned.body.error.code]).toEqual([401, 'SIGNATURE_MISSING']);

    const invalid = await post(integration.id, signed(integration.secret, { title: '', priority: 'SOON' }));
    expect(invalid.status).toBe(422);
    expect(invalid.body.error.message).toContain('title');
    const extra = await post(integration.id, signed(integration.secret, { title: 'x', owner: 'me' }));
    expect([extra.status, extra.body.error.message.includes('owner')]).toEqual([422, true]);
    const notJson = await post(integration.id, signed(integration.secret, null, { raw: 'title=x' }));
    expect(notJson.status).toBe(422);

    expect((await post(crypto.randomUUID(), signed(integration.secret, body))).status).toBe(404);
    const huge = await post(integration.id, signed(integration.secret, { title: 'big', description: 'x'.repeat(1024 * 1024) }));
    expect([huge.status, huge.body.error.code]).toEqual([413, 'PAYLOAD_TOO_LARGE']);
    expect((await api.patch(`/projects/${project.id}/integrations/${integration.id}`, { enabled: false })).body.enabled).toBe(false);
    expect((await post(integration.id, signed(integration.secret, body))).status).toBe(404);

    expect(await counts(project.id)).toEqual(before);
    const log = await api.get(`/projects/${project.id}/integrations/${integration.id}/deliveries`);
    expect(log.body.deliveries.map((d: { status: number; signatureOk: boolean }) => [d.status, d.signatureOk])).toEqual([
      [422, true], [422, true], [422, true], [401, false], [401, false], [401, false], [401, false], [401, false],
    ]);
    expect(log.body.deliveries.at(-1).error).toContain('TIMESTAMP_OUT_OF_TOLERANCE');
  });

  test('a rotated secret: the old one works during the grace period, not after; grace 0 drops it at once', async () => {
    const { api, project, integration } = await connect();
    const rotated = await api.post(`/projects/${project.id}/integrations/${integration.id}/rotate`, { graceSeconds: 2 });
    expect(rotated.status).toBe(200);
    expect(rotated.body.secret).not.toBe(integration.secret);
    expect(rotated.body.previousSecretValidUntil).not.toBeNull();
    expect((await post(integration.id, signed(rotated.body.secret, { title: 'new secret' }))).status).toBe(201);
    expect((await post(integration.id, signed(integration.secret, { title: 'old secret in grace' }))).status).toBe(201);
    await Bun.sleep(2100);
    expect((await post(integration.id, signed(integration.secret, { title: 'old secret after grace' }))).status).toBe(401);
    expect((await post(integration.id, signed(rotated.body.secret, { title: 'new still' }))).status).toBe(201);

    const now = await api.post(`/projects/${project.id}/integrations/${integration.id}/rotate`, { graceSeconds: 0 });
    expect((await post(integration.id, signed(rotated.body.secret, { title: 'leaked' }))).status).toBe(401);
    expect((await post(integration.id, signed(now.body.secret, { title: 'fresh' }))).status).toBe(201);
  });

  test('over its rate limit an integration gets 429 with Retry-After; another integration is not slowed', async () => {
    const a = await connect();
    const b = await connect();
    const statuses: number[] = [];
    for (let i = 0; i < 45; i++) statuses.push((await post(a.integration.id, signed(a.integration.secret, { title: `t${i}` }))).status);
    expect(statuses.filter((s) => s === 201).length).toBe(40);
    const limited = await post(a.integration.id, signed(a.integration.secret, { title: 'one more' }));
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    expect((await post(b.integration.id, signed(b.integration.secret, { title: 'fine' }))).status).toBe(201);
  });

  test('deleting an integration removes its bot from the project and its URL answers 404', async () => {
    const { api, project, integration } = await connect();
    expect((await api.delete(`/projects/${project.id}/integrations/${integration.id}`)).status).toBe(204);
    const members = await api.get(`/projects/${project.id}/members`);
    expect(members.body.members.map((m: { userId: string }) => m.userId)).not.toContain(integration.botUserId);
    expect((await post(integration.id, signed(integration.secret, { title: 'x' }))).status).toBe(404);
  });
});

describe('generic integrations under concurrency', () => {
  test('deliveries racing on one new externalId make one ticket; the others update it', async () => {
    const { project, integration } = await connect();
    const answers = await Promise.all(
      Array.from({ length: 6 }, (_, i) => post(integration.id, signed(integration.secret, { title: `race ${i}`, externalId: 'same-alert' }))),
    );
    expect(answers.map((a) => a.status).toSorted()).toEqual([200, 200, 200, 200, 200, 201]);
    expect(new Set(answers.map((a) => a.body.ticket.code)).size).toBe(1);
    expect((await counts(project.id)).tickets).toBe(1);
  });

  test('the outbox row of a delivery-made ticket is the one an API create writes (same contract, same headers)', async () => {
    const { api, project, integration } = await connect();
    const viaApi = (await api.post(`/projects/${project.id}/tickets`, { title: 'same shape', labels: ['x'] })).body;
    const viaHook = (await post(integration.id, signed(integration.secret, { title: 'same shape', labels: ['x'] }))).body.ticket;
    const rows = await t.service.deps.db.execute<{ aggregateid: string; payload: Record<string, unknown>; headers: Record<string, string>; stream_version: number }>(
      sql`select aggregateid, payload, headers, stream_version from outbox where aggregateid in (${viaApi.id}, ${viaHook.id}) order by stream_version`,
    );
    const [a, h] = [rows.find((r) => r.aggregateid === viaApi.id)!, rows.find((r) => r.aggregateid === viaHook.id)!];
    expect(Object.keys(h.payload).toSorted()).toEqual(Object.keys(a.payload).toSorted());
    expect(Object.keys(h.headers).toSorted()).toEqual(Object.keys(a.headers).toSorted());
    expect(h.payload).toMatchObject({ ticketId: viaHook.id, projectId: project.id, code: viaHook.code, version: Number(h.stream_version), reporterId: integration.botUserId, status: 'OPEN' });
  });
});

describe('redeliveries after the world moved on', () => {
  test('a delivery redelivered after its ticket was deleted answers what it answered and makes no new ticket', async () => {
    const { api, project, integration } = await connect();
    const d = signed(integration.secret, { title: 'flaky test', externalId: 'ci-9' });
    const first = await post(integration.id, d);
    expect(first.status).toBe(201);
    expect((await api.delete(`/tickets/${first.body.ticket.code}`)).status).toBe(204);
    const again = await post(integration.id, d);
    expect([again.status, again.body]).toEqual([201, first.body]);
    expect((await counts(project.id)).tickets).toBe(0);
  });
});

describe('bodies without a length', () => {
  test('a chunked body over 1 MiB is refused with 413 as it streams in; a small chunked one is read whole', async () => {
    const { project, integration } = await connect();
    const stream = (parts: string[]) =>
      new ReadableStream<Uint8Array>({
        start(c) {
          for (const p of parts) c.enqueue(new TextEncoder().encode(p));
          c.close();
        },
      });
    const big = signed(integration.secret, null, { raw: JSON.stringify({ title: 'big', description: 'y'.repeat(1100 * 1024) }) });
    const bigAnswer = await fetch(`${t.url}/hooks/${integration.id}`, { method: 'POST', body: stream(big.raw.match(/.{1,65536}/gs)!), headers: big.headers, duplex: 'half' } as RequestInit);
    expect(bigAnswer.status).toBe(413);
    const small = signed(integration.secret, { title: 'chunked' });
    const smallAnswer = await fetch(`${t.url}/hooks/${integration.id}`, { method: 'POST', body: stream([small.raw.slice(0, 5), small.raw.slice(5)]), headers: small.headers, duplex: 'half' } as RequestInit);
    expect(smallAnswer.status).toBe(201);
    expect((await counts(project.id)).tickets).toBe(1);
  });
});
