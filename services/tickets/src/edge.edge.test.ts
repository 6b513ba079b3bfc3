/**
 * The edge of a real Ticket Service: only JSON bodies reach a route (a form post is what another
 * site can make a browser send with its cookie), every answer says nosniff and no-store, a client's
 * request id is echoed only when it is safe, and an oversized body gets the error model.
 */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { expectStatus, type ErrorBody } from '@syncro/testing/typed';
import { startTickets, type Tickets, type TicketsClient } from '../test/harness.ts';

let t: Tickets;
let api: TicketsClient;
let project: { id: string; key: string };
let token: string;
beforeAll(async () => {
  t = await startTickets({ boardCache: 'off' });
  const o = await t.owner('Edge');
  api = o.typed;
  project = o.project;
  token = await t.idp.token(o.user);
});
afterAll(() => t.stop());

const send = (path: string, type: string, body: string) =>
  fetch(`${t.url}${path}`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': type }, body });

describe('bodies', () => {
  test('form-encoded, multipart and text/plain are 415 naming the type, and nothing is created', async () => {
    const attempts: [string, string, string][] = [
      ['/projects', 'application/x-www-form-urlencoded', 'name=Evil&key=EVIL'],
      [`/projects/${project.id}/tickets`, 'multipart/form-data; boundary=x', '--x\r\nContent-Disposition: form-data; name="title"\r\n\r\nevil\r\n--x--\r\n'],
      [`/projects/${project.id}/members`, 'text/plain', JSON.stringify({ userId: crypto.randomUUID(), role: 'owner' })],
    ];
    for (const [path, type, body] of attempts) {
      const res = await send(path, type, body);
      expect(res.status, type).toBe(415);
      const { error } = (await res.json()) as ErrorBody;
      expect(error.code).toBe('UNSUPPORTED_MEDIA_TYPE');
      expect(error.message).toContain(type.split(';')[0]!);
    }
    expect(expectStatus(await api.projects.get(), 200).projects).toHaveLength(1);
    expect(expectStatus(await api.projects({ id: project.id }).board.get(), 200).columns.OPEN).toEqual([]);
    expect(expectStatus(await api.projects({ id: project.id }).members.get(), 200).members).toHaveLength(1);
    expect((await send(`/projects/${project.id}/tickets`, 'application/json; charset=utf-8', '{"title":"fine"}')).status).toBe(201);
  });

  test('a body over 1 MiB is a 413 in the error model', async () => {
    const res = await send(`/projects/${project.id}/tickets`, 'application/json', JSON.stringify({ title: 'x', description: 'y'.repeat(2 * 1024 * 1024) }));
    expect(res.status).toBe(413);
    expect(((await res.json()) as ErrorBody).error.code).toBe('PAYLOAD_TOO_LARGE');
  });
});

describe('headers', () => {
  test('nosniff and no-store on API answers, errors and operator routes alike', async () => {
    const answers = [
      await fetch(`${t.url}/projects/${project.id}/board`, { headers: { authorization: `Bearer ${token}` } }),
      await fetch(`${t.url}/projects`, { headers: { authorization: `Bearer ${token}` } }),
      await fetch(`${t.url}/projects`), // 401
      await fetch(`${t.url}/nope`),
      await fetch(`${t.url}/health`),
      await send('/projects', 'text/plain', 'x'),
    ];
    for (const res of answers) {
      expect(res.headers.get('x-content-type-options'), res.url).toBe('nosniff');
      expect(res.headers.get('cache-control'), res.url).toBe('no-store');
    }
  });

  test('x-request-id: a safe one is echoed; a long or non-ASCII one is replaced', async () => {
    const echo = (id: string) => fetch(`${t.url}/health`, { headers: { 'x-request-id': id } }).then((r) => r.headers.get('x-request-id'));
    expect(await echo('trace-01:abc.DEF_9')).toBe('trace-01:abc.DEF_9');
    for (const id of ['x'.repeat(65), Buffer.from('naïve', 'utf8').toString('latin1'), 'a;b', 'a b']) {
      expect(await echo(id)).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    }
  });
});
