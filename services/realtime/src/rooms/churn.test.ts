/**
 * 1,000 real events (tickets and comments: two topics, so they reach the hub out of order) while
 * sockets keep leaving and coming back with `sinceVersion`: every socket's versions, across all
 * its sessions, are contiguous with no duplicates. Raw sockets, so nothing client-side hides a flaw.
 */
import { afterAll, beforeAll, expect, test } from 'bun:test';
import { newUser } from '@syncro/testing';
import { startHub, type Hub } from '../../test/harness.ts';

let hub: Hub;
let other: Hub;
beforeAll(async () => {
  hub = await startHub();
  other = await startHub({ tickets: hub.tickets, bridge: false });
}, 60_000);
afterAll(async () => {
  await other?.stop();
  await hub?.stop();
});

test('1,000 events under churn: every socket sees every version once, in order', async () => {
  const { api, project } = await hub.tickets.owner('Churn');
  const TOTAL = 1000;
  const base = project.version;
  const final = base + TOTAL;
  let stop = false;

  const members = Array.from({ length: 6 }, (_, n) => newUser(`Churner ${n}`));
  for (const who of members) expect((await api.post(`/projects/${project.id}/members`, { userId: who.id })).status).toBe(201);
  const from = (await api.get(`/projects/${project.id}`)).body.version as number;

  const churner = async (n: number) => {
    const seen: number[] = [];
    const who = members[n]!;
    const start = from;
    let since = start;
    let sessions = 0;
    for (;;) {
      const done = stop;
      const target = n % 2 === 0 ? hub : other;
      const s = await target.socket(who);
      s.send('joinProject', { projectId: project.id, sinceVersion: since });
      const joined = await s.next('joined');
      expect(joined.data.resumed).toBe(true);
      sessions++;
      if (done && since < final) await s.next((f) => f.data?.version === final && f.event !== 'joined', 30_000);
      else await Bun.sleep(20 + Math.random() * 150);
      s.close();
      await s.closed;
      const got = s.board(project.id).map((f) => f.data.version as number);
      seen.push(...got);
      since = got.at(-1) ?? since;
      if (done) break;
    }
    return { start, seen, sessions };
  };

  const churners = members.map((_, i) => churner(i));
  const events = TOTAL - (from - base);
  const tickets: string[] = [];
  for (let i = 0; i < events; i++) {
    if (tickets.length > 0 && i % 3 === 0) {
      const res = await api.post(`/tickets/${tickets[i % tickets.length]}/comments`, { content: `c${i}` });
      expect(res.status).toBe(201);
    } else {
      const res = await api.post(`/projects/${project.id}/tickets`, { title: `t${i}` });
      expect(res.status).toBe(201);
      tickets.push(res.body.id);
    }
  }
  expect((await api.get(`/projects/${project.id}`)).body.version).toBe(final);
  stop = true;
  const results = await Promise.all(churners);
  for (const r of results) {
    expect(r.sessions).toBeGreaterThan(2);
    expect(r.seen).toEqual(Array.from({ length: final - r.start }, (_, i) => r.start + 1 + i));
  }
}, 120_000);
