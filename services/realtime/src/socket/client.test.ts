/**
 * The client library (shared/realtime-client) against real hubs: it resumes gap-free across a hub
 * restart and re-authenticates on 4001, and surfaces its status for a banner.
 */
import { afterAll, beforeAll, expect, test } from 'bun:test';
import { RealtimeClient, type ConnectionStatus, type ServerFrame } from '@syncro/realtime-client';
import { eventually, newUser } from '@syncro/testing';
import { startTickets, type Tickets } from '@syncro/tickets/harness';
import { startHub } from '../../test/harness.ts';

let tickets: Tickets;
beforeAll(async () => {
  tickets = await startTickets();
}, 60_000);
afterAll(async () => {
  await tickets?.stop();
});

function watch() {
  const frames: ServerFrame[] = [];
  const statuses: ConnectionStatus[] = [];
  const versions = (projectId: string) =>
    frames.filter((f) => 'version' in f.data && f.event !== 'joined' && f.data.projectId === projectId).map((f) => (f.data as { version: number }).version);
  return { frames, statuses, versions, onFrame: (f: ServerFrame) => frames.push(f), onStatus: (s: ConnectionStatus) => statuses.push(s) };
}

test('across a hub restart the client reconnects with backoff and resumes exactly where it was', async () => {
  const { user, api, project } = await tickets.owner('Client');
  let hub = await startHub({ tickets });
  const w = watch();
  const client = new RealtimeClient({
    url: hub.wsUrl,
    credentials: async () => ({ headers: { authorization: `Bearer ${await tickets.idp.token(user)}` } }),
    onFrame: w.onFrame,
    onStatus: w.onStatus,
    backoff: { baseMs: 50, maxMs: 500 },
  });
  try {
    await eventually('connected', () => client.status === 'connected');
    client.join(project.id, project.version);
    await eventually('joined', () => w.frames.some((f) => f.event === 'joined'));
    const create = async (title: string) => expect((await api.post(`/projects/${project.id}/tickets`, { title })).status).toBe(201);
    for (let i = 0; i < 3; i++) await create(`before ${i}`);
    await eventually('three live', () => w.versions(project.id).length === 3);

    const port = hub.port;
    await hub.stop();
    await eventually('reconnecting', () => client.status === 'reconnecting');
    for (let i = 0; i < 3; i++) await create(`during ${i}`);
    hub = await startHub({ tickets, port });
    await eventually('connected again', () => client.status === 'connected');
    for (let i = 0; i < 2; i++) await create(`after ${i}`);
    await eventually('all eight', () => w.versions(project.id).length >= 8, 20_000);
    expect(w.versions(project.id)).toEqual(Array.from({ length: 8 }, (_, i) => project.version + 1 + i));
    expect(client.version(project.id)).toBe(project.version + 8);
    expect(w.statuses).toEqual(['connected', 'reconnecting', 'connected']);
  } finally {
    client.close();
    await hub.stop();
  }
}, 60_000);

test('closed with 4001 at token expiry, it fetches fresh credentials and resumes without a gap', async () => {
  const { user, api, project } = await tickets.owner('Expiring');
  const hub = await startHub({ tickets });
  const w = watch();
  let issued = 0;
  const client = new RealtimeClient({
    url: hub.wsUrl,
    // The first token lives two seconds, later ones fifteen minutes.
    credentials: async () => ({
      headers: { authorization: `Bearer ${await tickets.idp.token(user, issued++ === 0 ? { expiresIn: Math.floor(Date.now() / 1000) + 2 } : {})}` },
    }),
    onFrame: w.onFrame,
    onStatus: w.onStatus,
  });
  try {
    client.join(project.id, project.version);
    await eventually('joined', () => w.frames.some((f) => f.event === 'joined'));
    let n = 0;
    const until = Date.now() + 3500;
    while (Date.now() < until) {
      expect((await api.post(`/projects/${project.id}/tickets`, { title: `t${++n}` })).status).toBe(201);
      await Bun.sleep(100);
    }
    await eventually('every version', () => w.versions(project.id).length >= n, 20_000);
    expect(w.versions(project.id)).toEqual(Array.from({ length: n }, (_, i) => project.version + 1 + i));
    expect(issued).toBeGreaterThanOrEqual(2);
    expect(w.statuses).toContain('reconnecting');
  } finally {
    client.close();
    await hub.stop();
  }
}, 60_000);

test('a hub stopped mid-stream (sockets closed with 1012): its clients move to the other instance and resume gap-free', async () => {
  const { user, api, project } = await tickets.owner('Failover');
  const a = await startHub({ tickets });
  const b = await startHub({ tickets });
  const w = watch();
  const client = new RealtimeClient({
    url: [a.wsUrl, b.wsUrl],
    credentials: async () => ({ headers: { authorization: `Bearer ${await tickets.idp.token(user)}` } }),
    onFrame: w.onFrame,
    onStatus: w.onStatus,
    backoff: { baseMs: 20, maxMs: 200 },
  });
  try {
    client.join(project.id, project.version);
    await eventually('joined on a', () => w.frames.some((f) => f.event === 'joined') && a.service.sockets.size === 1);
    let n = 0;
    const writer = (async () => {
      for (; n < 40; ) {
        expect((await api.post(`/projects/${project.id}/tickets`, { title: `t${++n}` })).status).toBe(201);
        await Bun.sleep(15);
      }
    })();
    await eventually('some events', () => w.versions(project.id).length >= 10);
    await a.stop();
    await writer;
    await eventually('all forty', () => w.versions(project.id).length >= 40, 20_000);
    expect(w.versions(project.id)).toEqual(Array.from({ length: 40 }, (_, i) => project.version + 1 + i));
    expect(b.service.sockets.size).toBe(1);
  } finally {
    client.close();
    await b.stop();
  }
}, 60_000);

test('with one-time tickets as credentials (no header), each connection takes a fresh ticket', async () => {
  const { user, api, project } = await tickets.owner('Tickets');
  const hub = await startHub({ tickets });
  const w = watch();
  const issued: string[] = [];
  const client = new RealtimeClient({
    url: hub.wsUrl,
    credentials: async () => {
      const res = await fetch(`${hub.url}/realtime/ticket`, { method: 'POST', headers: { authorization: `Bearer ${await tickets.idp.token(user)}` } });
      const { ticket } = (await res.json()) as { ticket: string };
      issued.push(ticket);
      return { ticket };
    },
    onFrame: w.onFrame,
    backoff: { baseMs: 20, maxMs: 100 },
  });
  try {
    client.join(project.id, project.version);
    await eventually('joined', () => w.frames.some((f) => f.event === 'joined'));
    expect((await api.post(`/projects/${project.id}/tickets`, { title: 'one' })).status).toBe(201);
    await eventually('one', () => w.versions(project.id).length === 1);
    hub.service.closeSockets();
    await eventually('a second ticket and a second join', () => issued.length === 2 && w.frames.filter((f) => f.event === 'joined').length === 2);
    expect((await api.post(`/projects/${project.id}/tickets`, { title: 'two' })).status).toBe(201);
    await eventually('two', () => w.versions(project.id).length === 2);
    expect(w.versions(project.id)).toEqual([project.version + 1, project.version + 2]);
    expect(new Set(issued).size).toBe(2);
  } finally {
    client.close();
    await hub.stop();
  }
}, 60_000);
