/**
 * A join the hub cannot serve right now (the Ticket Service answering 503 to the membership check)
 * gets an UNAVAILABLE error frame naming the project, and the client library asks again with
 * backoff on the same socket until it is joined, instead of staying connected and deaf (seen in the
 * reconnect-storm benchmark). The Ticket Service sits behind a small fault proxy that answers 503
 * while told to.
 */
import { afterAll, beforeAll, expect, test } from 'bun:test';
import { RealtimeClient, type ServerFrame } from '@syncro/realtime-client';
import { eventually } from '@syncro/testing';
import { startTickets, type Tickets } from '@syncro/tickets/harness';
import type { Server } from 'bun';
import { startHub } from '../../test/harness.ts';

let tickets: Tickets;
let proxy: Server<unknown>;
let down = true;
let refused = 0;
beforeAll(async () => {
  tickets = await startTickets();
  proxy = Bun.serve({
    port: 0,
    hostname: '127.0.0.1',
    async fetch(req) {
      const url = new URL(req.url);
      if (down) {
        refused++;
        return Response.json({ error: { code: 'UNAVAILABLE', message: 'down for the test' } }, { status: 503 });
      }
      return fetch(tickets.url + url.pathname + url.search, { method: req.method, headers: req.headers, body: req.body });
    },
  });
}, 60_000);
afterAll(async () => {
  proxy?.stop(true);
  await tickets?.stop();
});

test('refused as UNAVAILABLE, the client joins again by itself once the Ticket Service answers', async () => {
  const { user, api, project } = await tickets.owner('Retry');
  const hub = await startHub({ tickets, env: { TICKETS_URL: `http://127.0.0.1:${proxy.port}` } });
  const frames: ServerFrame[] = [];
  const client = new RealtimeClient({
    url: hub.wsUrl,
    credentials: async () => ({ headers: { authorization: `Bearer ${await tickets.idp.token(user)}` } }),
    onFrame: (f) => frames.push(f),
    backoff: { baseMs: 20, maxMs: 200 },
  });
  try {
    client.join(project.id, project.version);
    await eventually('refused twice', () => frames.filter((f) => f.event === 'error' && f.data.code === 'UNAVAILABLE' && f.data.projectId === project.id).length >= 2);
    expect(frames.some((f) => f.event === 'joined')).toBe(false);
    expect(client.status).toBe('connected');
    down = false;
    await eventually('joined on the same socket', () => frames.some((f) => f.event === 'joined'));
    expect(hub.service.sockets.size).toBe(1);
    expect((await api.post(`/projects/${project.id}/tickets`, { title: 'after' })).status).toBe(201);
    await eventually('the event', () => frames.some((f) => f.event === 'ticketCreated'));
    expect(refused).toBeGreaterThanOrEqual(2);
  } finally {
    client.close();
    await hub.stop();
  }
}, 60_000);
