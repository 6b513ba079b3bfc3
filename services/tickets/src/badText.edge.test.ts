/**
 * Text Postgres cannot store, and JSON too deep to format, used to reach the database (or the
 * validation formatter) as a 500. Each is a 4xx naming the field now, and nothing is written.
 */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { startTickets, type Tickets } from '../test/harness.ts';

let t: Tickets;
let api: Awaited<ReturnType<Tickets['as']>>;
let project: { id: string; key: string };
let ticket: { id: string; code: string };
beforeAll(async () => {
  t = await startTickets({ boardCache: 'off' });
  const o = await t.owner('BadText');
  api = o.api;
  project = o.project;
  ticket = (await api.post(`/projects/${project.id}/tickets`, { title: 'target', labels: ['ok'] })).body;
});
afterAll(() => t.stop());

const outboxRows = async () => ((await t.service.deps.db.$client`select count(*)::int as n from outbox`) as unknown as [{ n: number }])[0].n;

/** JSON text with `\u0000` or a lone surrogate spelled as an escape, as a client would send it. */
const NUL = 'a\\u0000b';
const LONE = 'a\\ud800b';
const raw = (method: string, path: string, json: string) => api.raw(method, path, json, { 'content-type': 'application/json' });

type Case = [name: string, send: () => Promise<{ status: number; body: any }>, status: number, mentions: string];
const cases = (): Case[] =>
  [NUL, LONE].flatMap((bad): Case[] => [
    [`project name ${bad}`, () => raw('POST', '/projects', `{"name":"${bad}","key":"BADTXT"}`), 422, 'body.name'],
    [`project description ${bad}`, () => raw('POST', '/projects', `{"name":"n","key":"BADTXT","description":"${bad}"}`), 422, 'body.description'],
    [`ticket title ${bad}`, () => raw('POST', `/projects/${project.id}/tickets`, `{"title":"${bad}"}`), 422, 'body.title'],
    [`ticket description ${bad}`, () => raw('POST', `/projects/${project.id}/tickets`, `{"title":"t","description":"${bad}"}`), 422, 'body.description'],
    [`ticket label ${bad}`, () => raw('POST', `/projects/${project.id}/tickets`, `{"title":"t","labels":["fine","${bad}"]}`), 422, 'body.labels.1'],
    [`edit title ${bad}`, () => raw('PATCH', `/tickets/${ticket.id}`, `{"title":"${bad}"}`), 422, 'body.title'],
    [`edit labels ${bad}`, () => raw('PATCH', `/tickets/${ticket.id}`, `{"labels":["${bad}"]}`), 422, 'body.labels.0'],
    [`comment ${bad}`, () => raw('POST', `/tickets/${ticket.id}/comments`, `{"content":"${bad}"}`), 422, 'body.content'],
    [`member id ${bad}`, () => raw('POST', `/projects/${project.id}/members`, `{"userId":"${bad}"}`), 422, 'body.userId'],
  ]);

describe('bad text', () => {
  test('\\u0000 and lone surrogates in every text field are a 422 naming the field, and nothing is written', async () => {
    const outboxBefore = await outboxRows();
    for (const [name, send, status, mentions] of cases()) {
      const res = await send();
      expect(res.status, name).toBe(status);
      expect(res.body?.error?.code, name).toBe('VALIDATION_FAILED');
      expect(JSON.stringify(res.body.error), name).toContain(mentions);
    }
    expect(await outboxRows()).toBe(outboxBefore);
    const board = await api.get(`/projects/${project.id}/board`);
    expect(board.body.columns.OPEN.map((x: { code: string }) => x.code)).toEqual([ticket.code]);
    expect((await api.get(`/tickets/${ticket.id}`)).body).toMatchObject({ title: 'target', labels: ['ok'], version: 1 });
    expect((await api.get(`/tickets/${ticket.id}/comments`)).body.comments ?? []).toHaveLength(0);
    expect((await api.get('/projects')).body.projects).toHaveLength(1);
    expect((await api.get(`/projects/${project.id}/members`)).body.members).toHaveLength(1);
  });

  test('JSON nested 20,000 deep is a 400 naming the limit, not a 500', async () => {
    const outboxBefore = await outboxRows();
    const deep = `{"title":"deep","labels":${'['.repeat(20_000)}${']'.repeat(20_000)}}`;
    const res = await raw('POST', `/projects/${project.id}/tickets`, deep);
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('MALFORMED_BODY');
    expect(res.body.error.message).toContain('64');
    expect(await outboxRows()).toBe(outboxBefore);
    expect((await api.get(`/projects/${project.id}/board`)).body.columns.OPEN).toHaveLength(1);
  });

  test('bad ids in the path are a 4xx, never a 500', async () => {
    for (const path of ['/tickets/%00', `/projects/%00`, '/projects/not-a-uuid-0000', `/projects/${project.id}/members/%00`, '/tickets/a%ED%A0%80b']) {
      const res = await api.get(path);
      expect(res.status, path).toBeGreaterThanOrEqual(400);
      expect(res.status, path).toBeLessThan(500);
      expect(typeof res.body?.error?.code, path).toBe('string');
    }
    const del = await api.delete(`/projects/${project.id}/members/%00`);
    expect(del.status).toBe(400);
  });
});
