/**
 * The socket's edge on a real hub (real Ticket Service, Redis, Kafka): who may open it, the
 * one-time ticket, expiry, and frames the hub refuses.
 */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { client, newUser } from '@syncro/testing';
import { ACCESS_COOKIE } from '@syncro/kit/auth';
import { openSocket, startHub, type Hub } from '../../test/harness.ts';

let hub: Hub;
beforeAll(async () => {
  hub = await startHub();
});
afterAll(async () => {
  await hub?.stop();
});

/** The raw upgrade request, to read a refusal's status and JSON body. */
const upgrade = (query: string, headers: Record<string, string>) =>
  fetch(`${hub.url}/ws${query}`, {
    headers: { connection: 'Upgrade', upgrade: 'websocket', 'sec-websocket-version': '13', 'sec-websocket-key': btoa('0123456789abcdef'), ...headers },
  });

describe('upgrade', () => {
  test('no token, a forged token and an expired token are refused with 401 and no socket', async () => {
    const ada = newUser('Ada');
    const cases: [Record<string, string>, string][] = [
      [{}, 'UNAUTHORIZED'],
      [{ authorization: `Bearer ${await hub.idp.token(ada, { key: await hub.idp.foreignKey() })}` }, 'TOKEN_INVALID'],
      [{ authorization: `Bearer ${await hub.idp.token(ada, { expiresIn: Math.floor(Date.now() / 1000) - 60 })}` }, 'TOKEN_EXPIRED'],
    ];
    for (const [headers, code] of cases) {
      const res = await upgrade('', headers);
      expect(res.status).toBe(401);
      expect(((await res.json()) as any).error.code).toBe(code);
      await expect(openSocket(hub.wsUrl, headers)).rejects.toThrow('401');
    }
  });

  test('a cookie from a foreign origin is refused (403); from the same origin it opens', async () => {
    const cookie = `${ACCESS_COOKIE}=${await hub.idp.token(newUser('Cookie'))}`;
    const res = await upgrade('', { cookie, origin: 'https://evil.example' });
    expect(res.status).toBe(403);
    const s = await openSocket(hub.wsUrl, { cookie, origin: hub.url });
    s.send('ping');
    expect((await s.next('pong')).data.at).toBeString();
    s.close();
  });

  test('a one-time ticket opens one socket, once; the JWT never travels in the URL', async () => {
    const ada = newUser('Ada');
    const api = client(hub.url, await hub.idp.token(ada));
    expect((await client(hub.url).post('/realtime/ticket')).status).toBe(401);
    const issued = await api.post('/realtime/ticket');
    expect(issued.status).toBe(201);
    expect(issued.body.expiresIn).toBe(30);
    expect(issued.body.ticket).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const s = await hub.socket({ query: `ticket=${issued.body.ticket}` });
    s.send('ping');
    await s.next('pong');
    // Used: the same ticket again is refused.
    const again = await upgrade(`?ticket=${issued.body.ticket}`, {});
    expect(again.status).toBe(401);
    expect(((await again.json()) as any).error.code).toBe('TICKET_INVALID');
    expect((await upgrade('?ticket=made-up', {})).status).toBe(401);
  });

  test('the socket is closed with 4001 when its token expires', async () => {
    const token = await hub.idp.token(newUser('Brief'), { expiresIn: Math.floor(Date.now() / 1000) + 2 });
    const s = await openSocket(hub.wsUrl, { authorization: `Bearer ${token}` });
    const started = Date.now();
    const closed = await s.closed;
    expect(closed.code).toBe(4001);
    expect(Date.now() - started).toBeLessThan(3500);
  });
});

describe('frames', () => {
  test('bad frames get an error frame naming the problem, and the socket stays usable', async () => {
    const s = await hub.socket(newUser('Sloppy'));
    const cases: [string, string, string][] = [
      ['not json {', 'NOT_JSON', 'JSON'],
      ['[1,2]', 'BAD_FRAME', 'event'],
      [JSON.stringify({ event: 'dance', data: {} }), 'UNKNOWN_EVENT', 'dance'],
      [JSON.stringify({ event: 'joinProject', data: { sinceVersion: -1, projectId: 'X' } }), 'VALIDATION_FAILED', 'sinceVersion'],
      [JSON.stringify({ event: 'joinProject', data: {} }), 'VALIDATION_FAILED', 'exactly one of projectId and key'],
      [JSON.stringify({ event: 'userTyping', data: { projectId: 'P' } }), 'VALIDATION_FAILED', 'ticketId'],
    ];
    for (const [raw, code, names] of cases) {
      s.ws.send(raw);
      const err = await s.next('error');
      expect(err.data.code).toBe(code);
      expect(err.data.message).toContain(names);
    }
    s.send('ping');
    await s.next('pong');
  });

  test('a frame over 64 KiB closes the socket with 1009', async () => {
    const s = await hub.socket(newUser('Big'));
    s.send('ping', { pad: 'x'.repeat(64 * 1024) });
    expect((await s.closed).code).toBe(1009);
  });

  test('joining a project one is not a member of is refused with an error frame; the socket stays open', async () => {
    const { project } = await hub.tickets.owner('Owner');
    const s = await hub.socket(newUser('Stranger'));
    s.send('joinProject', { projectId: project.id });
    const err = await s.next('error');
    expect(err.data.code).toBe('NOT_A_MEMBER');
    s.send('joinProject', { key: project.key });
    expect((await s.next('error')).data.code).toBe('NOT_A_MEMBER');
    s.send('ping');
    await s.next('pong');
    expect(s.frames.some((f) => f.event === 'joined')).toBe(false);
  });
});
