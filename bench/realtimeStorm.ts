/**
 * @module Reconnect storm (issue 10 § 7): as many joined clients as the hub's open-files limit allows
 * (BENCH_STORM_SOCKETS to cap), real ticket creates at BENCH_RATE/s (20) flowing through the Ticket
 * Service, Kafka and a bridge process into Redis, then the socket hub is
 * restarted (SIGTERM: every socket closed with 1012; a new process on the same port). The clients
 * reconnect with the RealtimeClient's policy (full-jitter exponential backoff from 250 ms, capped at
 * 10 s) and resume with `sinceVersion`. Reported: the time from the SIGTERM until every client has
 * resumed (joined again and seen the first event published after the restart began) and that no
 * client saw a gap or a duplicate.
 *
 *   bun bench/realtimeStorm.ts
 */
import { client } from '@syncro/testing';
import { runBenchmark } from './lib/cleanup.ts';
import { log } from './lib/env.ts';
import { SOURCES, cpuMs, fdLimit, fmt, openFiles, startBridgeProcess, startFleet, startHubProcess, startRig } from './lib/realtimeRig.ts';

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

  await startBridgeProcess(rig);
  const owner = client(rig.tickets.url, rig.tokens[0]!);
  let paused = false;
  let running = true;
  let created = 0;
  const publisher = (async () => {
    while (running) {
      if (!paused) {
        const res = await owner.post(`/projects/${rig.project.id}/tickets`, { title: `storm ${++created}` });
        if (res.status !== 201) log(`create answered ${res.status}`);
      }
      await Bun.sleep(1000 / RATE);
    }
  })();
  await Bun.sleep(3000);

  paused = true;
  await Bun.sleep(200);
  const version = (await owner.get(`/projects/${rig.project.id}`)).body.version as number;
  // Let the clients have everything up to here before the restart.
  await Bun.sleep(1000);
  const before = await fleet.stats();
  // The first event after the restart began: a client that has it has rejoined and resumed.
  await fleet.storm(version + 1);
  log(`restarting the hub at version ${version}; ${fmt(before.joined)} joined, ${before.gaps} gaps so far`);
  const t0 = performance.now();
  await hub.stop();
  const stopped = performance.now() - t0;
  paused = false;
  hub = await startHubProcess(rig, port, process.env.BENCH_HUB_LOG ? { LOG_LEVEL: process.env.BENCH_HUB_LOG } : {}, 'hub-restarted');
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
      log(`${fmt((performance.now() - t0) / 1000, 0)} s: open ${stats.open}, joined ${stats.joined}, resumed ${stats.caughtUp}, errors ${JSON.stringify(stats.errorCodes)}`);
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
      `reconnect storm: ${fmt(target)} joined clients (2 load-client processes, ${SOURCES.length} source addresses), ${RATE} ticket creates/s (Ticket Service -> Kafka -> bridge process -> Redis), hub restarted (SIGTERM -> 1012 to every socket, new process on the same port)`,
      `old hub gone after ${fmt(stopped)} ms; new hub healthy after ${fmt(up)} ms`,
      `every client resumed gap-free after ${fmt(all / 1000, 1)} s (${fmt(stats.caughtUp)}/${fmt(target)}; ${fmt(end.reconnects)} reconnect attempts, ${end.errors} socket errors)`,
      `progress: ${timeline.join(' ')}`,
      `gaps ${end.gaps}, duplicates ${end.duplicates}, resyncs ${end.resyncs} (must be 0); join refusals ${JSON.stringify(end.errorCodes)}; new hub CPU during the storm ${fmt(cpuStorm / 1000, 1)} s`,
    ].join('\n'),
  );
  await fleet.close();
});
