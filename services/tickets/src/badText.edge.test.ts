/**
 * Text Postgres cannot store, and JSON too deep to format, used to reach the database (or the
 * validation formatter) as a 500. Each is a 4xx naming the field now, and nothing is written.
 */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import type { Reply } from '@syncro/testing';
import { expectStatus, type ErrorBody } from '@syncro/testing/typed';
import { startTickets, type Tickets, type TicketsClient } from '../test/harness.ts';

let t: Tickets;
/** Raw: the cases send what the types would refuse. */
let api: Awaited<ReturnType<Tickets['as']>>;
/** Typed: reads back what was (not) written. */
let typed: TicketsClient;
let project: { id: string; key: string };
let ticket: { id: string; code: string };
beforeAll(async () => {
  t = await startTickets({ boardCache: 'off' });
  const o = await t.owner('BadText');
  api = o.api;
  typed = o.typed;
  project = o.project;
  ticket = expectStatus(await typed.projects({ id: project.id }).tickets.post({ title: 'target', labels: ['ok'] }), 201);
});
afterAll(() => t.stop());

const outboxRows = async () => ((await t.service.deps.db.$client`select count(*)::int as n from outbox`) as unknown as [{ n: number }])[0].n;

/** JSON text with `\u0000` or a lone surrogate spelled as an escape, as a client would send it. */
const NUL = 'a\\u0000b';
const LONE = 'a\\ud800b';
const raw = (method: string, path: string, json: string) => api.raw(method, path, json, { 'content-type': 'application/json' });

type Case = [name: string, send: () => Promise<Reply<Partial<ErrorBody> | null>>, status: number, mentions: string];
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
      expect(JSON.stringify(res.body?.error), name).toContain(mentions);
    }
    expect(await outboxRows()).toBe(outboxBefore);
    const board = expectStatus(await typed.projects({ id: project.id }).board.get(), 200);
    expect(board.columns.OPEN.map((x) => x.code)).toEqual([ticket.code]);
    expect(expectStatus(await typed.tickets({ id: ticket.id }).get(), 200)).toMatchObject({ title: 'target', labels: ['ok'], version: 1 });
    expect(expectStatus(await typed.tickets({ id: ticket.id }).comments.get(), 200).comments).toHaveLength(0);
    expect(expectStatus(await typed.projects.get(), 200).projects).toHaveLength(1);
    expect(expectStatus(await typed.projects({ id: project.id }).members.get(), 200).members).toHaveLength(1);
  });

  test('JSON nested 20,000 deep is a 400 naming the limit, not a 500', async () => {
    const outboxBefore = await outboxRows();
    const deep = `{"title":"deep","labels":${'['.repeat(20_000)}${']'.repeat(20_000)}}`;
    const res: Reply<ErrorBody> = await raw('POST', `/projects/${project.id}/tickets`, deep);
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('MALFORMED_BODY');
    expect(res.body.error.message).toContain('64');
    expect(await outboxRows()).toBe(outboxBefore);
    expect(expectStatus(await typed.projects({ id: project.id }).board.get(), 200).columns.OPEN).toHaveLength(1);
  });

  test('bad ids in the path are a 4xx, never a 500', async () => {
    for (const path of ['/tickets/%00', `/projects/%00`, '/projects/not-a-uuid-0000', `/projects/${project.id}/members/%00`, '/tickets/a%ED%A0%80b']) {
      const res: Reply<Partial<ErrorBody> | null> = await api.get(path);
      expect(res.status, path).toBeGreaterThanOrEqual(400);
      expect(res.status, path).toBeLessThan(500);
      expect(typeof res.body?.error?.code, path).toBe('string');
    }
    const del = await api.delete(`/projects/${project.id}/members/%00`);
    expect(del.status).toBe(400);
  });
});
