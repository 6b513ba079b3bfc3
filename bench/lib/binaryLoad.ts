/** @module bench/binary.ts's load: board reads and creates under wrk against one running binary, after seeding its board. */
import { createsLua } from './creates/wrkScript.ts';
import { LOAD, log } from './env.ts';
import { WRK_DONE_LUA, runWrk, wrkFailures, type WrkResult } from './wrk.ts';

export interface ProfileLoad {
  boardReads: WrkResult;
  creates: WrkResult;
  /** Tickets on the board read (its JSON size, too: the same in both profiles). */
  boardTickets: number;
  boardBytes: number;
}

/**
 * Seeds `BOARD` with `tickets` tickets and `projects` more projects for the creates, then runs wrk:
 * GET /projects/BOARD/board, then POST /projects/:id/tickets round-robin over the projects (each a
 * 2 s warm-up, then LOAD.seconds measured). Any non-2xx answer fails the run.
 */
export async function measureProfile(name: string, base: string, token: string, tickets = 200, projects = 16): Promise<ProfileLoad> {
  const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
  const post = async (path: string, body: unknown) => {
    const r = await fetch(`${base}${path}`, { method: 'POST', headers, body: JSON.stringify(body) });
    if (r.status !== 201) throw new Error(`${name}: POST ${path}: ${r.status} ${await r.text()}`);
    return (await r.json()) as { id: string };
  };
  await post('/projects', { name: 'Board reads', key: 'BOARD' });
  let next = 0;
  const priorities = ['LOW', 'MEDIUM', 'HIGH', 'URGENT'];
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      while (next < tickets) {
        const i = next++;
        await post('/projects/BOARD/tickets', { title: `Board ticket ${i}`, priority: priorities[i % 4], labels: ['bench', `l${i % 5}`] });
      }
    }),
  );
  const ids: string[] = [];
  for (let i = 1; i <= projects; i++) ids.push((await post('/projects', { name: `Creates ${i}`, key: `CR${String(i).padStart(2, '0')}` })).id);
  const sample = await fetch(`${base}/projects/BOARD/board`, { headers });
  const body = await sample.text();
  if (sample.status !== 200) throw new Error(`${name}: board answered ${sample.status}`);
  const columns = (JSON.parse(body) as { columns: Record<string, unknown[]> }).columns;
  const boardTickets = Object.values(columns).reduce((n, c) => n + c.length, 0);

  const run = async (what: string, script: string, path: string) => {
    await runWrk({ url: `${base}${path}`, seconds: LOAD.warmupSeconds, script, headers });
    const r = await runWrk({ url: `${base}${path}`, seconds: LOAD.seconds, script, headers });
    if (wrkFailures(r) > 0) throw new Error(`${name} ${what}: ${JSON.stringify(r.errors)} failures\n${r.raw}`);
    log(`${name} ${what}: ${Math.round(r.rps)} req/s, p50 ${r.p50ms.toFixed(1)} ms, p99 ${r.p99ms.toFixed(1)} ms`);
    return r;
  };
  const boardReads = await run('board reads', WRK_DONE_LUA, '/projects/BOARD/board');
  const creates = await run('creates', createsLua(ids), '/');
  return { boardReads, creates, boardTickets, boardBytes: body.length };
}
