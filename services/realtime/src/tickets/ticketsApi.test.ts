/**
 * The hub's calls to the Ticket Service are bounded: a reconnect storm of tens of thousands of joins
 * once sent as many concurrent requests (and opened as many sockets) and the Ticket Service answered
 * none in time. The limiter keeps at most `max` in flight, serves the rest in arrival order, and
 * frees the slot of a failed call; against a real Ticket Service, 300 concurrent membership checks
 * never hold more than 8 connections to it.
 */
import { afterAll, beforeAll, expect, test } from 'bun:test';
import { startTickets, type Tickets } from '@syncro/tickets/harness';
import { createLimiter, createTicketsApi } from './ticketsApi.ts';

test('at most max at once, in arrival order, and a failure frees its slot', async () => {
  const limiter = createLimiter(4);
  let active = 0;
  let peak = 0;
  const started: number[] = [];
  const tasks = Array.from({ length: 40 }, (_, i) =>
    limiter
      .run(async () => {
        started.push(i);
        peak = Math.max(peak, ++active);
        await Bun.sleep(2);
        active--;
        if (i % 5 === 0) throw new Error(`task ${i} fails`);
        return i;
      })
      .catch(() => -1),
  );
  expect(limiter.waiting).toBe(36);
  const results = await Promise.all(tasks);
  expect(peak).toBe(4);
  expect(started).toEqual(Array.from({ length: 40 }, (_, i) => i));
  expect(results.filter((r) => r === -1)).toHaveLength(8);
  expect(limiter.waiting).toBe(0);
});

let tickets: Tickets;
beforeAll(async () => {
  tickets = await startTickets();
}, 60_000);
afterAll(() => tickets?.stop());

test('300 concurrent membership checks against the real Ticket Service: all answered, at most 8 in flight', async () => {
  const { user, project } = await tickets.owner('Limited');
  const token = await tickets.idp.token(user);
  const api = createTicketsApi(tickets.url, { maxConcurrent: 8 });
  const answers = Promise.all(Array.from({ length: 300 }, () => api.membership(project.id, token)));
  expect(api.waiting).toBe(292);
  for (const a of await answers) expect(a).toEqual({ member: true, project: { id: project.id, key: project.key, version: project.version } });
  expect(api.waiting).toBe(0);
});
