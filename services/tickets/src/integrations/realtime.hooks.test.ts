/** A ticket a webhook creates reaches the project's sockets on the realtime hub like any other. */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { startHub, type Hub } from '@syncro/realtime/harness';
import { Webhook } from 'standardwebhooks';

let hub: Hub;
beforeAll(async () => {
  hub = await startHub();
}, 60_000);
afterAll(() => hub?.stop());

describe('a webhook ticket on the realtime hub', () => {
  test('members on the project socket see ticketCreated with the bot as reporter', async () => {
    const { api, user, project } = await hub.tickets.owner('Live');
    const integration = (await api.post(`/projects/${project.id}/integrations`, { kind: 'generic', name: 'Sentry' })).body;
    const s = await hub.socket(user);
    s.send('joinProject', { projectId: project.id });
    await s.next('joined');

    const raw = JSON.stringify({ title: 'TypeError in checkout.ts:42' });
    const id = `msg_${crypto.randomUUID()}`;
    const at = new Date();
    const res = await fetch(integration.url, {
      method: 'POST',
      body: raw,
      headers: { 'webhook-id': id, 'webhook-timestamp': String(Math.floor(at.getTime() / 1000)), 'webhook-signature': new Webhook(integration.secret).sign(id, at, raw) },
    });
    expect(res.status).toBe(201);
    const { ticket } = (await res.json()) as { ticket: { code: string } };
    const frame = await s.next('ticketCreated');
    expect(JSON.stringify(frame.data)).toContain(ticket.code);
    expect(JSON.stringify(frame.data)).toContain(integration.botUserId);
  });
});
