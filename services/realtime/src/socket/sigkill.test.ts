/**
 * A hub process killed with SIGKILL mid-stream (no close frame, no goodbye: the kernel drops its
 * sockets) while a RealtimeClient listens: the client fails over to the second hub and resumes
 * gap-free. The killed hub is a real child process running main.ts; the survivor runs in this
 * process with the bridge (the child serves sockets only, BRIDGE=0, so the kill does not wait for a
 * consumer-group rebalance).
 */
import { afterAll, beforeAll, expect, test } from 'bun:test';
import { RealtimeClient, type ServerFrame } from '@syncro/realtime-client';
import { eventually } from '@syncro/testing';
import { freePort } from '@syncro/testing/ports';
import { REDIS_URL, startTickets, type Tickets } from '@syncro/tickets/harness';
import { startHub, type Hub } from '../../test/harness.ts';

let tickets: Tickets;
let survivor: Hub;
beforeAll(async () => {
  tickets = await startTickets();
  survivor = await startHub({ tickets });
}, 60_000);
afterAll(async () => {
  await survivor?.stop();
  await tickets?.stop();
});

function spawnHub(port: number) {
  const { idp } = tickets;
  return Bun.spawn(['bun', '--no-warnings', new URL('../main.ts', import.meta.url).pathname], {
    env: {
      ...process.env,
      PORT: String(port),
      HOST: '127.0.0.1',
      BRIDGE: '0',
      REDIS_URL,
      TICKETS_URL: tickets.url,
      JWKS_URL: idp.jwksUrl,
      AUTH_ISSUER: idp.issuer,
      AUTH_AUDIENCE: idp.audience,
      LIVENESS_CHECK_MS: '1000',
      LOG_LEVEL: 'error',
    },
    stdout: 'ignore',
    stderr: 'ignore',
  });
}

test('SIGKILL of the hub a client is on: it moves to the other hub and resumes without a gap or a duplicate', async () => {
  const port = freePort();
  const child = spawnHub(port);
  const { user, api, project } = await tickets.owner('Killed');
  await eventually('the child hub is up', async () => (await fetch(`http://127.0.0.1:${port}/health`).catch(() => null))?.status === 200, 20_000).catch((err) => {
    child.kill('SIGKILL');
    throw err;
  });
  const frames: ServerFrame[] = [];
  const client = new RealtimeClient({
    url: [`ws://127.0.0.1:${port}/ws`, survivor.wsUrl],
    credentials: async () => ({ headers: { authorization: `Bearer ${await tickets.idp.token(user)}` } }),
    onFrame: (f) => frames.push(f),
    backoff: { baseMs: 20, maxMs: 200 },
  });
  const versions = () => frames.filter((f) => f.event === 'ticketCreated').map((f) => (f.data as { version: number }).version);
  try {
    client.join(project.id, project.version);
    await eventually('joined on the child', () => frames.some((f) => f.event === 'joined') && client.status === 'connected' && survivor.service.sockets.size === 0, 20_000);

    let n = 0;
    const writer = (async () => {
      while (n < 60) {
        expect((await api.post(`/projects/${project.id}/tickets`, { title: `t${++n}` })).status).toBe(201);
        await Bun.sleep(10);
      }
    })();
    await eventually('some events through the child', () => versions().length >= 15);
    child.kill('SIGKILL');
    expect(await child.exited).not.toBe(0);
    await writer;
    await eventually('all sixty', () => versions().length >= 60, 30_000);
    expect(versions()).toEqual(Array.from({ length: 60 }, (_, i) => project.version + 1 + i));
    expect(survivor.service.sockets.size).toBe(1);
    expect(client.version(project.id)).toBe(project.version + 60);
  } finally {
    client.close();
    child.kill('SIGKILL');
  }
}, 90_000);
