/** The board as an all-in-one role: served at `/` beside the APIs, without shadowing any of them. */
import { afterAll, beforeAll, expect, test } from 'bun:test';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startAll } from '@syncro/all-in-one';
import { serve, serviceContext, type Served } from '@syncro/kit/service';
import { createTestDatabase } from '@syncro/testing';
import { BROKERS, REDIS_URL } from '@syncro/tickets/harness';

let served: Served;
let dbs: Awaited<ReturnType<typeof createTestDatabase>>[] = [];
const keyDir = mkdtempSync(join(tmpdir(), 'syncro-web-aio-'));

beforeAll(async () => {
  dbs = [await createTestDatabase('web_aio_auth'), await createTestDatabase('web_aio_tickets')];
  const ctx = serviceContext('all-in-one-test');
  const { config, services } = await startAll(ctx, {
    SERVICES: 'auth,tickets,web',
    PORT: '0',
    AUTH_DATABASE_URL: dbs[0]!.url,
    TICKETS_DATABASE_URL: dbs[1]!.url,
    TICKETS_KAFKA_GROUP_ID: `web-aio-${crypto.randomUUID()}`,
    KAFKA_BROKERS: BROKERS.join(','),
    KAFKA_OFFSET_RESET: 'latest',
    REDIS_URL,
    AUTH_KEY_DIR: keyDir,
    AUTH_DEV_LOGIN: '1',
  });
  served = serve('all-in-one', config.PORT, services, ctx);
}, 60_000);
afterAll(async () => {
  await served?.stop();
  for (const d of dbs) await d.drop();
  rmSync(keyDir, { recursive: true, force: true });
});

test('pages and deep links answer the board; API paths still answer their services', async () => {
  for (const path of ['/', '/login', '/invite', '/p/SYNC', '/p/SYNC/SYNC-12']) {
    const res = await fetch(served.url + path);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/html');
    expect(res.headers.get('cache-control')).toBe('no-cache');
  }
  const html = await (await fetch(served.url + '/')).text();
  const script = html.match(/src="(\/assets\/[^"]+\.js)"/)![1]!;
  expect((await fetch(served.url + script)).headers.get('cache-control')).toContain('immutable');

  const login = await fetch(served.url + '/auth/dev/login', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: 'aio@example.test' }) });
  expect(login.status).toBe(200);
  const { accessToken } = (await login.json()) as { accessToken: string };
  const projects = await fetch(served.url + '/projects', { headers: { authorization: `Bearer ${accessToken}` } });
  expect(projects.status).toBe(200);
  expect(projects.headers.get('content-type')).toContain('application/json');
  const missing = await fetch(served.url + '/nope');
  expect(missing.status).toBe(404);
  expect(((await missing.json()) as { error: { code: string } }).error.code).toBe('NOT_FOUND');
}, 30_000);

test('the invite page is the board’s; the invite API beside it still answers auth', async () => {
  const page = await fetch(served.url + '/invite');
  expect(page.status).toBe(200);
  expect(page.headers.get('content-type')).toContain('text/html');
  expect(await page.text()).toContain('<div id="root">');
  const list = await fetch(served.url + '/auth/invites');
  expect(list.status).toBe(401);
  const accept = await fetch(served.url + '/auth/invites/accept', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ token: 'sbi_no-such-invite', email: 'who@example.test', name: 'Who' }) });
  expect(accept.status).toBe(404);
  expect(((await accept.json()) as { error: { code: string } }).error.code).toBe('NOT_FOUND');
}, 30_000);
