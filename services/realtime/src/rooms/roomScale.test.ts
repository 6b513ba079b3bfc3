/**
 * A room's cost per join and per delivered event must not grow with the sockets already in it:
 * presence read the room's every socket on each join (quadratic: 20,000 joins took about a minute in
 * the hub benchmark), and each delivery walked every socket for waiters. A real Room with 20,000
 * sockets of 50 users, its presence kept right as sockets leave.
 */
import { expect, test } from 'bun:test';
import { createLogger } from '@syncro/kit/log';
import type { HistoryReader } from '../history/historySource.ts';
import { Room, type Conn } from './room.ts';

const history: HistoryReader = { read: async () => ({ events: [], resync: false, head: null }) };

function conn(i: number, users: number): Conn {
  const u = i % users;
  return { id: `c${i}`, user: { id: `u${u}`, name: `User ${u}` }, token: 't', send: () => {}, subscribe: () => {}, unsubscribe: () => {}, publish: () => {} };
}

test('20,000 joins and 1,000 deliveries in a room stay linear; presence counts users, not sockets', async () => {
  const published: string[] = [];
  const room = new Room('p', 'KEY', 10, {
    history: () => history,
    publish: (_t, m) => void published.push(m),
    logger: createLogger({ test: 'roomScale' }),
    holeGraceMs: 50,
    onEmpty: () => {},
    onPresence: () => {},
  });
  const conns = Array.from({ length: 20_000 }, (_, i) => conn(i, 50));
  const t0 = performance.now();
  for (const c of conns) await room.join(c, undefined, 10);
  const joinMs = performance.now() - t0;
  expect(room.localUsers()).toHaveLength(50);

  const t1 = performance.now();
  for (let v = 11; v <= 1010; v++) room.receive({ topic: 'ticket.created', version: v, data: { projectId: 'p', ticketId: `t${v}`, code: `KEY-${v}`, title: 't', priority: 'LOW', status: 'OPEN', labels: [], reporterId: 'u0' } });
  const deliverMs = performance.now() - t1;
  expect(room.cursor).toBe(1010);

  // Every socket of user 0 but one leaves: still present; the last one leaves: gone.
  const mine = conns.filter((c) => c.user.id === 'u0');
  for (const c of mine.slice(1)) room.leave(c);
  expect(room.localUsers().some((u) => u.userId === 'u0')).toBe(true);
  room.leave(mine[0]!);
  expect(room.localUsers().some((u) => u.userId === 'u0')).toBe(false);
  expect(room.localUsers()).toHaveLength(49);

  // Linear: a few microseconds a join, well under a millisecond an event (quadratic took ~a minute).
  expect(joinMs).toBeLessThan(3000);
  expect(deliverMs).toBeLessThan(1000);
}, 120_000);
