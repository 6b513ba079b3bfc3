/**
 * Kill -9 under writes (issue 14 § 5): the compiled binary on its embedded default takes ticket
 * creates from several clients, is killed with SIGKILL mid-stream (its Postgres child is left
 * behind, as after a real crash), and is started again on the same data folder. Every create that
 * was acknowledged (201) is still there exactly once, the outboxes drain (each ticket reaches the
 * assignment role and comes back assigned, once), and a new create is seen live on a socket.
 */
import { describe, expect, test } from 'bun:test';

import { join } from 'node:path';
import { ACCESS_COOKIE } from '@syncro/kit/auth';
import { client, eventually } from '@syncro/testing';
import { freePort } from '@syncro/testing/ports';
import { startBinary, useBinaryWorkspace } from '../test/binary.ts';

const box = useBinaryWorkspace('crash');

const accessCookie = (res: Response) =>
  res.headers
    .getSetCookie()
    .map((c) => c.split(';')[0]!)
    .find((c) => c.startsWith(`${ACCESS_COOKIE}=`))
    ?.slice(ACCESS_COOKIE.length + 1);

type BoardTicket = { id: string; code: string; title: string; assigneeId: string | null; version: number };
const boardTickets = (board: { columns: Record<string, BoardTicket[]> }) => Object.values(board.columns).flat();

describe('kill -9 during writes', () => {
  test('every acknowledged create survives once, the outboxes drain, no effect is doubled', async () => {
    const port = freePort();
    const env = { PATH: process.env.PATH!, PORT: String(port) };
    const data = join(box.dir, 'data');
    const base = `http://127.0.0.1:${port}`;
    const first = (box.running = await startBinary(box.bin, ['--data', data], env, box.dir));
    const token = accessCookie(await fetch(first.setupLink!, { redirect: 'manual' }))!;
    expect(token).toBeTruthy();
    const api = client(base, token);
    const me = (await api.get('/auth/me')).body;
    const ownerId: string = me.user?.id ?? me.id;
    expect((await api.post('/projects', { name: 'Crash', key: 'CRA' })).status).toBe(201);

    // Four clients create as fast as they can; only 201s count as acknowledged.
    const acknowledged = new Set<string>();
    let stop = false;
    let attempts = 0;
    const writer = async (w: number) => {
      for (let i = 0; !stop; i++) {
        const title = `w${w}-${i}`;
        attempts++;
        try {
          const res = await fetch(`${base}/projects/CRA/tickets`, {
            method: 'POST',
            headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
            body: JSON.stringify({ title }),
          });
          if (res.status === 201) acknowledged.add(title);
        } catch {
          return; // the process is gone
        }
      }
    };
    // A reader alongside: how far behind the assignment was just before the kill (so the restart has a backlog to drain).
    let unassignedBeforeKill = -1;
    const reader = (async () => {
      while (!stop) {
        try {
          const res = await fetch(`${base}/projects/CRA/board`, { headers: { authorization: `Bearer ${token}` } });
          if (res.status === 200) unassignedBeforeKill = boardTickets((await res.json()) as never).filter((t) => t.assigneeId === null).length;
        } catch {
          return;
        }
      }
    })();
    const writers = [1, 2, 3, 4].map(writer);
    await eventually('some creates acknowledged', () => acknowledged.size >= 40, 30_000);
    first.proc.kill('SIGKILL');
    await first.proc.exited;
    stop = true;
    await Promise.all([...writers, reader]);
    box.running = undefined;
    expect(acknowledged.size).toBeGreaterThanOrEqual(40);

    const second = (box.running = await startBinary(box.bin, ['--data', data], env, box.dir));
    expect(second.setupLink).toBeUndefined();
    const board = await api.get('/projects/CRA/board');
    expect(board.status).toBe(200);
    const tickets = boardTickets(board.body);
    const titles = tickets.map((t) => t.title);
    for (const title of acknowledged) expect(titles).toContain(title);
    // Nothing twice: no title, no code repeated (a create cut off before its 201 may or may not be there, once).
    expect(new Set(titles).size).toBe(titles.length);
    expect(new Set(tickets.map((t) => t.code)).size).toBe(tickets.length);
    expect(tickets.length).toBeLessThanOrEqual(attempts);

    // The outboxes drain after the crash: each ticket.created reaches the assignment role, whose
    // ticket.assigned comes back to the tickets role; every ticket ends up assigned.
    await eventually(
      'every ticket assigned',
      async () => boardTickets((await api.get('/projects/CRA/board')).body).every((t) => t.assigneeId === ownerId),
      60_000,
    );
    // And exactly once each, in the tickets role's event log (the outbox).
    const events: { topic: string; data: { ticketId?: string; id?: string } }[] = [];
    for (let after = 0; ; ) {
      const page = (await api.get(`/projects/CRA/events?after=${after}&limit=1000`)).body;
      events.push(...page.events);
      if (!page.hasMore) break;
      after = page.events.at(-1).version;
    }
    const perTicket = (topic: string) => {
      const counts = new Map<string, number>();
      for (const e of events.filter((e) => e.topic === topic)) {
        const id = e.data.ticketId ?? e.data.id!;
        counts.set(id, (counts.get(id) ?? 0) + 1);
      }
      return counts;
    };
    // The tickets role applies the assignment as its one ticket.updated (version 1 → 2); a second delivery applied twice would show here.
    const updated = perTicket('ticket.updated');
    const assignedBoard = boardTickets((await api.get('/projects/CRA/board')).body);
    for (const t of assignedBoard) expect([t.code, updated.get(t.id), t.version]).toEqual([t.code, 1, 2]);
    expect(Math.max(...perTicket('ticket.created').values())).toBe(1);

    // Live again: a socket sees the next create.
    const frames: { event: string; data: any }[] = [];
    const ws = new WebSocket(`ws://127.0.0.1:${port}/ws`, { headers: { authorization: `Bearer ${token}` } } as never);
    ws.onmessage = (m) => frames.push(JSON.parse(String(m.data)));
    await new Promise((resolve, reject) => ((ws.onopen = resolve), (ws.onerror = reject)));
    ws.send(JSON.stringify({ event: 'joinProject', data: { key: 'CRA' } }));
    await eventually('joined', () => frames.some((f) => f.event === 'joined'), 10_000);
    const after = await api.post('/projects/CRA/tickets', { title: 'after the crash' });
    expect(after.status).toBe(201);
    await eventually('ticketCreated live', () => frames.some((f) => f.event === 'ticketCreated' && f.data.code === after.body.code), 10_000);
    ws.close();
    console.log(JSON.stringify({ acknowledged: acknowledged.size, attempts, onBoard: tickets.length, unassignedBeforeKill, unassignedAtRestart: tickets.filter((t) => t.assigneeId === null).length, restartToReadyMs: Math.round(second.readyMs) }));
    expect(await second.stop()).toBe(0);
    box.running = undefined;
  }, 240_000);
});
