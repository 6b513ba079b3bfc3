/**
 * The WebSocket guard on a real server with real sockets: who may open one, how a refusal looks,
 * and regressions for Elysia pitfalls (a refusing beforeHandle must not upgrade; the resolved user
 * must reach the socket handlers).
 */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { newUser, startTestIdp, type TestIdp } from '@syncro/testing/tokens';
import { Elysia } from 'elysia';
import { httpKit, MetricsRegistry } from '../http/index.ts';
import { createLogger } from '../log/index.ts';
import { ACCESS_COOKIE, createTokenVerifier, wsGuard, type AuthUser } from './index.ts';

let idp: TestIdp;
let server: { port: number; stop(): void };
const ada = newUser('Ada');
const opened: AuthUser[] = [];
const closedBy: AuthUser[] = [];
const blocked = newUser('Blocked');

beforeAll(async () => {
  idp = await startTestIdp();
  const verify = createTokenVerifier({ jwksUrl: idp.jwksUrl, issuer: idp.issuer, audience: idp.audience });
  const sockets = new Elysia({ name: 'sockets' })
    .use(wsGuard(verify, { allowedOrigins: ['https://board.example.com'], seed: 'ws-test' }))
    .ws('/ws', {
      open(ws) {
        opened.push(ws.data.user);
        ws.send({ event: 'hello', data: ws.data.user });
      },
      message(ws, message) {
        ws.send({ event: 'echo', data: { from: ws.data.user.id, message } });
      },
      close(ws) {
        closedBy.push(ws.data.user);
      },
    })
    .ws('/ws/members', {
      // A route-level refusal after the guard: returning a value must refuse the upgrade.
      beforeHandle({ user, status }) {
        if (user.id === blocked.id) return status(403, { error: { code: 'FORBIDDEN', message: 'not a member' } });
      },
      open(ws) {
        opened.push(ws.data.user);
        ws.send({ event: 'hello', data: ws.data.user });
      },
    });
  const app = new Elysia().use(httpKit({ service: 'ws-test', logger: createLogger({ level: 'error' }), metrics: new MetricsRegistry() })).use(sockets).listen({ port: 0, hostname: '127.0.0.1' });
  server = { port: app.server!.port!, stop: () => app.stop(true) };
});
afterAll(async () => {
  server.stop();
  await idp.stop();
});

const wsUrl = (path = '/ws') => `ws://127.0.0.1:${server.port}${path}`;

/** Opens a socket and returns its first frame, or the refusal. */
function connect(path: string, headers: Record<string, string>) {
  return new Promise<{ ws: WebSocket; first: any } | { refused: string }>((resolve) => {
    const ws = new WebSocket(wsUrl(path), { headers } as never);
    ws.onmessage = (e) => resolve({ ws, first: JSON.parse(String(e.data)) });
    ws.onerror = (e) => resolve({ refused: (e as ErrorEvent).message });
  });
}

/** The raw upgrade request, to read the refusal's status and JSON body. */
const upgrade = (path: string, headers: Record<string, string>) =>
  fetch(`http://127.0.0.1:${server.port}${path}`, {
    headers: { connection: 'Upgrade', upgrade: 'websocket', 'sec-websocket-version': '13', 'sec-websocket-key': btoa('0123456789abcdef'), ...headers },
  });

describe('WebSocket guard', () => {
  test('a Bearer header opens the socket and the user reaches open, message and close', async () => {
    const r = await connect('/ws', { authorization: `Bearer ${await idp.token(ada)}` });
    if (!('ws' in r)) throw new Error(`refused: ${r.refused}`);
    expect(r.first).toEqual({ event: 'hello', data: { id: ada.id, email: ada.email, name: ada.name } });
    const echo = new Promise<any>((resolve) => (r.ws.onmessage = (e) => resolve(JSON.parse(String(e.data)))));
    r.ws.send(JSON.stringify({ ping: 1 }));
    expect(await echo).toEqual({ event: 'echo', data: { from: ada.id, message: { ping: 1 } } });
    const closed = new Promise((resolve) => (r.ws.onclose = resolve));
    r.ws.close();
    await closed;
    for (let i = 0; i < 50 && !closedBy.some((u) => u.id === ada.id); i++) await Bun.sleep(10);
    expect(closedBy.map((u) => u.id)).toContain(ada.id);
  });

  test('the session cookie opens it from the same origin and from an allowed one', async () => {
    const cookie = `${ACCESS_COOKIE}=${await idp.token(ada)}`;
    for (const origin of [`http://127.0.0.1:${server.port}`, 'https://board.example.com']) {
      const r = await connect('/ws', { cookie, origin });
      expect('ws' in r).toBe(true);
      if ('ws' in r) r.ws.close();
    }
  });

  test('the cookie from a foreign origin is refused with 403 (cross-site WebSocket hijacking)', async () => {
    const res = await upgrade('/ws', { cookie: `${ACCESS_COOKIE}=${await idp.token(ada)}`, origin: 'https://evil.example' });
    expect(res.status).toBe(403);
    expect(((await res.json()) as any).error.code).toBe('ORIGIN_REFUSED');
    // A program with a Bearer header is not a browser: its Origin is no reason to refuse.
    const r = await connect('/ws', { authorization: `Bearer ${await idp.token(ada)}`, origin: 'https://evil.example' });
    expect('ws' in r).toBe(true);
    if ('ws' in r) r.ws.close();
  });

  const refusals: [string, () => Promise<Record<string, string>>, string][] = [
    ['no token', async () => ({}), 'UNAUTHORIZED'],
    ['an expired token', async () => ({ authorization: `Bearer ${await idp.token(ada, { expiresIn: Math.floor(Date.now() / 1000) - 60 })}` }), 'TOKEN_EXPIRED'],
    ['a forged token', async () => ({ authorization: `Bearer ${await idp.token(ada, { key: await idp.foreignKey() })}` }), 'TOKEN_INVALID'],
    ['a wrong audience', async () => ({ cookie: `${ACCESS_COOKIE}=${await idp.token(ada, { audience: 'other' })}` }), 'TOKEN_INVALID'],
  ];
  test.each(refusals)('%s → 401 JSON and no socket', async (_name, headers, code) => {
    const before = opened.length;
    const res = await upgrade('/ws', await headers());
    expect(res.status).toBe(401);
    expect(((await res.json()) as any).error.code).toBe(code);
    const r = await connect('/ws', await headers());
    expect('refused' in r && r.refused).toContain('401');
    expect(opened.length).toBe(before);
  });

  test('regression: a beforeHandle that returns a value refuses the upgrade instead of opening', async () => {
    const before = opened.length;
    const res = await upgrade('/ws/members', { authorization: `Bearer ${await idp.token(blocked)}` });
    expect(res.status).toBe(403);
    expect(((await res.json()) as any).error.code).toBe('FORBIDDEN');
    const r = await connect('/ws/members', { authorization: `Bearer ${await idp.token(blocked)}` });
    expect('refused' in r && r.refused).toContain('403');
    expect(opened.length).toBe(before);
    // …while a member passes the same beforeHandle and gets the derived user in open().
    const ok = await connect('/ws/members', { authorization: `Bearer ${await idp.token(ada)}` });
    if (!('ws' in ok)) throw new Error(`refused: ${ok.refused}`);
    expect(ok.first.data.id).toBe(ada.id);
    ok.ws.close();
  });
});
