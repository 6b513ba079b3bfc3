/** Bad input on every endpoint: a 4xx JSON error that names the problem, and nothing is lost. */
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
  const o = await t.owner('Validator');
  api = o.api;
  typed = o.typed;
  project = o.project;
  ticket = expectStatus(await typed.projects({ id: project.id }).tickets.post({ title: 'target' }), 201);
});
afterAll(() => t.stop());

type Case = [name: string, send: () => Promise<Reply<Partial<ErrorBody> | null>>, status: number, mentions: string];

const cases = (): Case[] => [
  ['project: missing name', () => api.post('/projects', { key: 'ABC' }), 422, 'name'],
  ['project: bad key', () => api.post('/projects', { name: 'x', key: 'lower' }), 422, 'key'],
  ['project: key too long', () => api.post('/projects', { name: 'x', key: 'ABCDEFGHIJK' }), 422, 'key'],
  ['project: unknown field', () => api.post('/projects', { name: 'x', key: 'ABC', nmae: 'typo' }), 422, 'nmae'],
  ['project: blank name', () => api.post('/projects', { name: '   ', key: 'ABC' }), 422, 'name'],
  ['project: malformed JSON', () => api.raw('POST', '/projects', '{"name":', { 'content-type': 'application/json' }), 400, 'JSON'],
  ['project: bad id', () => api.get('/projects/not a key'), 400, 'params.id'],
  ['members: bad userId', () => api.post(`/projects/${project.id}/members`, { userId: 'bob' }), 422, 'userId'],
  ['members: bad role', () => api.post(`/projects/${project.id}/members`, { userId: crypto.randomUUID(), role: 'admin' }), 422, 'role'],
  ['members: delete bad userId', () => api.delete(`/projects/${project.id}/members/bob`), 400, 'userId'],
  ['ticket: missing title', () => api.post(`/projects/${project.id}/tickets`, {}), 422, 'title'],
  ['ticket: bad priority', () => api.post(`/projects/${project.id}/tickets`, { title: 'x', priority: 'CRITICAL' }), 422, 'priority'],
  ['ticket: labels not a list', () => api.post(`/projects/${project.id}/tickets`, { title: 'x', labels: 'bug' }), 422, 'labels'],
  ['ticket: title too long', () => api.post(`/projects/${project.id}/tickets`, { title: 'x'.repeat(201) }), 422, 'title'],
  ['ticket: server-owned field', () => api.post(`/projects/${project.id}/tickets`, { title: 'x', status: 'DONE' }), 422, 'status'],
  ['ticket: bad ref', () => api.get('/tickets/sync-1'), 400, 'params.id'],
  ['patch: empty body', () => api.patch(`/tickets/${ticket.id}`, {}), 422, 'at least one field'],
  ['patch: bad assignee', () => api.patch(`/tickets/${ticket.id}`, { assigneeId: 42 }), 422, 'assigneeId'],
  ['patch: bad If-Match', () => api.patch(`/tickets/${ticket.id}`, { title: 'y' }, { 'if-match': 'yesterday' }), 400, 'If-Match'],
  ['status: unknown status', () => api.patch(`/tickets/${ticket.id}/status`, { status: 'BLOCKED' }), 422, 'status'],
  ['status: missing body', () => api.patch(`/tickets/${ticket.id}/status`, undefined), 422, 'JSON object body is required'],
  ['comment: empty', () => api.post(`/tickets/${ticket.id}/comments`, { content: '' }), 422, 'content'],
  ['comment: bad parent', () => api.post(`/tickets/${ticket.id}/comments`, { content: 'x', parentId: 'p' }), 422, 'parentId'],
  ['board: bad id', () => api.get('/projects/x/board'), 400, 'params.id'],
  ['events: bad after', () => api.get(`/projects/${project.id}/events?after=-1`), 400, 'after'],
  ['events: limit too big', () => api.get(`/projects/${project.id}/events?limit=5000`), 400, 'limit'],
  ['unknown route', () => api.get('/nope'), 404, '/nope'],
];

describe('bad input', () => {
  test('every case is a 4xx JSON error naming the problem', async () => {
    for (const [name, send, status, mentions] of cases()) {
      const res = await send();
      expect(res.status, name).toBe(status);
      expect(typeof res.body?.error?.code, name).toBe('string');
      expect(JSON.stringify(res.body?.error), name).toContain(mentions);
    }
  });

  test('nothing was lost or half-written', async () => {
    const board = expectStatus(await typed.projects({ id: project.id }).board.get(), 200);
    expect(board.columns.OPEN.map((x) => x.code)).toEqual([ticket.code]);
    expect(expectStatus(await typed.tickets({ id: ticket.id }).get(), 200)).toMatchObject({ title: 'target', version: 1, status: 'OPEN' });
    expect(expectStatus(await typed.projects.get(), 200).projects).toHaveLength(1);
  });

  test('an oversized body is refused with 413', async () => {
    const res = await fetch(`${t.url}/projects/${project.id}/tickets`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${await t.idp.token({ id: crypto.randomUUID(), email: 'a@b.co', name: 'a' })}` },
      body: JSON.stringify({ title: 'x', description: 'y'.repeat(2 * 1024 * 1024) }),
    });
    expect(res.status).toBe(413);
  });
});
