/**
 * The hub reads the Ticket Service's event log with its service credential, end to end: a real Auth
 * Service issues it (client credentials), a real Ticket Service trusting that Auth Service's JWKS
 * accepts it on `GET /projects/:id/events` only, and a hub configured with SERVICE_CLIENT_ID/SECRET
 * resumes a socket from the log with it.
 *
 * NEEDS the Ticket Service change in TICKETS_PATCH.diff (the events route accepts aud
 * `syncroboard-service` + scope `events:read`): it fails until the lead applies it. Not skipped on
 * purpose; the realtime helper's own runs leave this file out until then.
 */
import { afterAll, beforeAll, expect, test } from 'bun:test';
import { newClientSecret } from '@syncro/auth';
import { startAuth, type Auth } from '@syncro/auth/harness';
import { client } from '@syncro/testing';
import { startTickets, type Tickets } from '@syncro/tickets/harness';
import { createServiceTokenProvider } from '../src/auth/serviceToken.ts';
import { openSocket, startHub } from './harness.ts';

const realtime = newClientSecret();
let auth: Auth;
let tickets: Tickets;

beforeAll(async () => {
  auth = await startAuth({ AUTH_DEV_LOGIN: '1', SERVICE_CLIENTS: `realtime:${realtime.hash}` });
  tickets = await startTickets({ trust: auth.trust });
}, 60_000);
afterAll(async () => {
  await tickets?.stop();
  await auth?.stop();
});

const serviceToken = () => createServiceTokenProvider({ authUrl: auth.url, clientId: 'realtime', clientSecret: realtime.secret })();

async function ownerWithTickets(n: number) {
  const me = await auth.devLogin();
  const api = client(tickets.url, me.accessToken);
  const created = await api.post('/projects', { name: 'Service credential', key: `SC${crypto.randomUUID().replaceAll('-', '').slice(0, 6).toUpperCase()}` });
  expect(created.status).toBe(201);
  const project = created.body as { id: string; key: string; version: number };
  for (let i = 0; i < n; i++) expect((await api.post(`/projects/${project.id}/tickets`, { title: `t${i}` })).status).toBe(201);
  return { me, api, project };
}

test('the event log answers a service credential with scope events:read, for any project, without a user', async () => {
  const { project } = await ownerWithTickets(3);
  const log = await client(tickets.url, await serviceToken()).get(`/projects/${project.id}/events?after=${project.version}`);
  expect(log.status).toBe(200);
  expect(log.body.events.map((e: { topic: string; version: number }) => [e.topic, e.version])).toEqual([1, 2, 3].map((i) => ['ticket.created', project.version + i]));
  const missing = await client(tickets.url, await serviceToken()).get(`/projects/${crypto.randomUUID()}/events`);
  expect(missing.status).toBe(404);
});

test('every other route refuses the service credential; the log still takes members and refuses outsiders', async () => {
  const { me, project } = await ownerWithTickets(1);
  const service = client(tickets.url, await serviceToken());
  for (const path of [`/projects/${project.id}`, `/projects/${project.id}/board`, '/projects']) {
    const res = await service.get(path);
    expect([path, res.status]).toEqual([path, 401]);
  }
  expect((await service.post(`/projects/${project.id}/tickets`, { title: 'as a service' })).status).toBe(401);
  expect((await client(tickets.url, me.accessToken).get(`/projects/${project.id}/events`)).status).toBe(200);
  const outsider = await auth.devLogin();
  expect((await client(tickets.url, outsider.accessToken).get(`/projects/${project.id}/events`)).status).toBe(404);
  expect((await client(tickets.url).get(`/projects/${project.id}/events`)).status).toBe(401);
  // A user's token is not a service credential, even with a `service:` subject forged into it.
  const [h, , sig] = me.accessToken.split('.');
  const forged = `${h}.${Buffer.from(JSON.stringify({ sub: 'service:realtime', scope: 'events:read', aud: 'syncroboard-service' })).toString('base64url')}.${sig}`;
  expect((await client(tickets.url, forged).get(`/projects/${project.id}/events`)).status).toBe(401);
});

test('a hub with SERVICE_CLIENT_ID/SECRET resumes a socket from the log with its service credential', async () => {
  const { me, project } = await ownerWithTickets(5);
  const hub = await startHub({
    tickets,
    env: {
      JWKS_URL: auth.trust.jwksUrl,
      AUTH_ISSUER: auth.trust.issuer,
      AUTH_AUDIENCE: auth.trust.audience,
      AUTH_URL: auth.url,
      SERVICE_CLIENT_ID: 'realtime',
      SERVICE_CLIENT_SECRET: realtime.secret,
    },
  });
  try {
    // The five tickets were created before this hub's bridge joined: only the log has them.
    const s = await openSocket(hub.wsUrl, { authorization: `Bearer ${me.accessToken}` });
    s.send('joinProject', { projectId: project.id, sinceVersion: project.version });
    expect((await s.next('joined')).data).toMatchObject({ resumed: true, version: project.version + 5 });
    await s.next((f) => f.data?.version === project.version + 5);
    expect(s.board(project.id).map((f) => f.data.version)).toEqual([1, 2, 3, 4, 5].map((i) => project.version + i));
    expect((hub.service.serviceToken as { fetched?: number }).fetched).toBeGreaterThanOrEqual(1);
    s.close();
  } finally {
    await hub.stop();
  }
}, 60_000);
