/**
 * A ticket a webhook creates takes the path of any other: the Assignment Service assigns it (to a
 * person, never to the bot, which joined without a `project.member.added`), the board shows it, and
 * the outbound webhooks hear `ticket.created` and `ticket.assigned`.
 */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { eventually, startLoop, type Loop } from '@syncro/assignment/harness';
import { Webhook } from 'standardwebhooks';

let loop: Loop;
beforeAll(async () => {
  loop = await startLoop();
}, 60_000);
afterAll(() => loop?.stop());

describe('a webhook ticket through the real Assignment Service', () => {
  test('assigned to a team member, on the board, announced outbound', async () => {
    const { project, users, owner } = await loop.team(3, 'Hooked');
    const outbound: { type: string; data: Record<string, unknown> }[] = [];
    let outSecret = '';
    const server = Bun.serve({
      port: 0,
      hostname: '127.0.0.1',
      async fetch(req) {
        const body = await req.text();
        new Webhook(outSecret).verify(body, Object.fromEntries(req.headers));
        outbound.push(JSON.parse(body));
        return new Response(null, { status: 204 });
      },
    });
    const sub = await owner.tickets.post(`/projects/${project.id}/webhooks`, { url: `http://127.0.0.1:${server.port}/in`, events: ['ticket.created', 'ticket.assigned'] });
    outSecret = sub.body.secret;

    const integration = (await owner.tickets.post(`/projects/${project.id}/integrations`, { kind: 'generic', name: 'Pager', defaults: { priority: 'URGENT' } })).body;
    const raw = JSON.stringify({ title: 'p1: checkout is down', labels: ['incident'] });
    const id = `msg_${crypto.randomUUID()}`;
    const at = new Date();
    const res = await fetch(integration.url, {
      method: 'POST',
      body: raw,
      headers: { 'content-type': 'application/json', 'webhook-id': id, 'webhook-timestamp': String(Math.floor(at.getTime() / 1000)), 'webhook-signature': new Webhook(integration.secret).sign(id, at, raw) },
    });
    expect(res.status).toBe(201);
    const { ticket } = (await res.json()) as { ticket: { id: string; code: string } };

    const assigned = await eventually('the Assignment Service to assign it', async () => {
      const t = (await owner.tickets.get(`/tickets/${ticket.code}`)).body;
      return t.assigneeId && t;
    });
    expect(users.map((u) => u.id)).toContain(assigned.assigneeId);
    expect(assigned).toMatchObject({ reporterId: integration.botUserId, priority: 'URGENT', labels: ['incident'] });

    const board = (await owner.tickets.get(`/projects/${project.id}/board`)).body;
    expect(board.columns.OPEN.map((t: { code: string }) => t.code)).toContain(ticket.code);

    await eventually('both events outbound', () => outbound.length >= 2);
    expect(outbound.map((o) => o.type).toSorted()).toEqual(['ticket.assigned', 'ticket.created']);
    expect(outbound.find((o) => o.type === 'ticket.assigned')!.data).toMatchObject({ ticketId: ticket.id, assigneeId: assigned.assigneeId });
    server.stop(true);
  });
});
