/**
 * After a hub restart every socket resumes from about the same version into a room that has just
 * been created: its memory is seeded with the hot window's events before its start, so those joins
 * are served from memory instead of one history read each (the reconnect-storm benchmark spent its
 * time in those reads). And a history read longer than one page stays in the hot window (real
 * Redis) instead of falling through to the Ticket Service's log after 500 events.
 */
import { afterAll, expect, test } from 'bun:test';
import { createRedisCache } from '@syncro/kit/cache';
import { createLogger } from '@syncro/kit/log';
import { REDIS_URL } from '@syncro/tickets/harness';
import { createHistoryReader, hotWindowHistory, type HistoryReader, type HistorySource } from '../history/historySource.ts';
import { createBoardLog, type BoardEvent } from '../redis/boardLog.ts';
import { Room, type Conn } from './room.ts';

const cache = createRedisCache({ url: REDIS_URL, timeoutMs: 2000 });
afterAll(() => cache.close());

const event = (projectId: string, version: number): BoardEvent => ({
  topic: 'ticket.created',
  version,
  data: { projectId, ticketId: `t${version}`, code: `KEY-${version}`, title: `v${version}`, priority: 'LOW', status: 'OPEN', labels: [], reporterId: 'u', version },
});

const untouchable = (what: string): HistoryReader & HistorySource => ({
  read: async () => {
    throw new Error(`${what} must not be read`);
  },
});

test('a new room seeded from the hot window serves resuming sockets from memory, in order, with no history read', async () => {
  const room = new Room('p', 'KEY', 100, {
    history: () => untouchable('history'),
    publish: () => {},
    logger: createLogger({ test: 'resumeFromMemory' }),
    holeGraceMs: 50,
    onEmpty: () => {},
    onPresence: () => {},
  });
  // What the hot window holds around the start: a hole at 40, the run 41..100, and 101 (after the start).
  room.seedRecent([...Array.from({ length: 39 }, (_, i) => event('p', i + 1)), ...Array.from({ length: 61 }, (_, i) => event('p', i + 41))]);
  const got: string[][] = [];
  for (let c = 0; c < 20; c++) {
    const frames: string[] = [];
    got.push(frames);
    const conn: Conn = { id: `c${c}`, user: { id: `u${c}`, name: 'U' }, token: 't', send: (m) => void frames.push(m), subscribe: () => {}, unsubscribe: () => {}, publish: () => {} };
    await room.join(conn, 60 + c, 100);
  }
  for (const [c, frames] of got.entries()) {
    const versions = frames.map((f) => JSON.parse(f)).filter((f) => f.event === 'ticketCreated').map((f) => f.data.version);
    expect(versions).toEqual(Array.from({ length: 40 - c }, (_, i) => 61 + c + i));
  }
});

test('a read of 1,200 events comes from the hot window alone, page after page', async () => {
  const projectId = crypto.randomUUID();
  const log = createBoardLog(cache, { cap: 2000, ttlSeconds: 60 });
  for (let v = 1; v <= 1200; v++) await log.append(projectId, event(projectId, v));
  const reader = createHistoryReader(hotWindowHistory(log), untouchable('the Ticket Service log'));
  const page = await reader.read(projectId, 0, 1200);
  expect(page.resync).toBe(false);
  expect(page.events.map((e) => e.version)).toEqual(Array.from({ length: 1200 }, (_, i) => i + 1));
});
