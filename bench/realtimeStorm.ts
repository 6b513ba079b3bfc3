/**
 * @module Reconnect storm (issue 10 § 7): as many joined clients as the hub's open-files limit allows
 * (BENCH_STORM_SOCKETS to cap), events flowing at BENCH_RATE/s (20) through Redis, then the hub is
 * restarted (SIGTERM: every socket closed with 1012; a new process on the same port). The clients
 * reconnect with the RealtimeClient's policy (full-jitter exponential backoff from 250 ms, capped at
 * 10 s) and resume with `sinceVersion`. Reported: the time from the SIGTERM until every client has
 * resumed (joined again and seen the first event published after the restart began) and that no
 * client saw a gap or a duplicate.
 *
 *   bun bench/realtimeStorm.ts
 */
import { createRedisCache } from '@syncro/kit/cache';
import { createBoardLog } from '../services/realtime/src/redis/boardLog.ts';
import { runBenchmark } from './lib/cleanup.ts';
import { REDIS_URL, log } from './lib/env.ts';
import { SOURCES, cpuMs, fdLimit, fmt, openFiles, startFleet, startHubProcess, startRig } from './lib/realtimeRig.ts';

process.env.LOG_LEVEL ??= 'error';
const RATE = Number(process.env.BENCH_RATE ?? 20);

await runBenchmark('realtime-storm', async () => {
  const rig = await startRig(50);
  let hub = await startHubProcess(rig);
  const port = hub.port;
  const target = Math.min(Number(process.env.BENCH_STORM_SOCKETS ?? Infinity), (await fdLimit(hub.pid)) - openFiles(hub.pid) - 300);
  const fleet = await startFleet(2);
  const opened = await fleet.open({ dialect: 'hub', port, sources: SOURCES, room: rig.project.id, reconnect: { baseMs: 250, maxMs: 10_000 } }, target, rig.tokens);
  log(`${fmt(opened.joined)} clients joined (errors ${opened.errors})`);

  const cache = createRedisCache({ url: REDIS_URL });
  const boardLog = createBoardLog(cache, { cap: 5000, ttlSeconds: 600 });
  let version = rig.project.version;
  let paused = false;
  let running = true;
  const publisher = (async () => {
    while (running) {
      if (!paused) {
        const v = ++version;
        const data = {
          ticketId: crypto.randomUUID(), projectId: rig.project.id, reporterId: rig.project.id, title: String(Date.now()), priority: 'MEDIUM',
          code: `${rig.project.key}-${v}`, status: 'OPEN', labels: [], version: v, eventId: crypto.randomUUID(), timestamp: new Date().toISOString(),
        };
        await boardLog.append(rig.project.id, { topic: 'ticket.created', version: v, data });
      }
      await Bun.sleep(1000 / RATE);
    }
  })();
  await Bun.sleep(3000);

  paused = true;
  await Bun.sleep(100);
  const before = await fleet.stats();
  // The first event after the restart began: a client that has it has rejoined and resumed.
  await fleet.storm(version + 1);
  log(`restarting the hub at version ${version}; ${fmt(before.joined)} joined, ${before.gaps} gaps so far`);
  const t0 = performance.now();
  await hub.stop();
  const stopped = performance.now() - t0;
  paused = false;
  hub = await startHubProcess(rig, port, {}, 'hub-restarted');
  const up = performance.now() - t0;
  const cpu0 = await cpuMs(hub.pid);
  let stats = await fleet.stats();
  const timeline: string[] = [];
  let nextMark = 1000;
  while (stats.caughtUp < target && performance.now() - t0 < 180_000) {
    await Bun.sleep(100);
    stats = await fleet.stats();
    if (performance.now() - t0 >= nextMark) {
      timeline.push(`${fmt((performance.now() - t0) / 1000, 0)}s:${fmt((100 * stats.caughtUp) / target, 0)}%`);
      nextMark += 2000;
    }
  }
  const all = performance.now() - t0;
  const cpuStorm = (await cpuMs(hub.pid)) - cpu0;
  running = false;
  await publisher;
  await Bun.sleep(1000);
  const end = await fleet.stats();

  console.log(
    [
      `reconnect storm: ${fmt(target)} joined clients (2 load-client processes, ${SOURCES.length} source addresses), ${RATE} events/s through Redis, hub restarted (SIGTERM -> 1012 to every socket, new process on the same port)`,
      `old hub gone after ${fmt(stopped)} ms; new hub healthy after ${fmt(up)} ms`,
      `every client resumed gap-free after ${fmt(all / 1000, 1)} s (${fmt(stats.caughtUp)}/${fmt(target)}; ${fmt(end.reconnects)} reconnect attempts, ${end.errors} socket errors)`,
      `progress: ${timeline.join(' ')}`,
      `gaps ${end.gaps}, duplicates ${end.duplicates} (must be 0); new hub CPU during the storm ${fmt(cpuStorm / 1000, 1)} s`,
    ].join('\n'),
  );
  cache.close();
  await fleet.close();
});
