/**
 * @module Sockets per hub process (issue 10 § 7): as many idle, authenticated sockets joined to a
 * room as the hub's open-files limit allows, held by load-client processes on several loopback
 * source addresses; the hub's RSS sampled as they arrive, the cost per socket as the slope of RSS
 * over sockets, projected to 50,000. About a minute.
 *
 *   bun bench/realtimeSockets.ts            # BENCH_SOCKETS=n to cap the count
 */
import { runBenchmark } from './lib/cleanup.ts';
import { log } from './lib/env.ts';
import { scrape } from './lib/processes.ts';
import { SOURCES, cpuMs, fdLimit, fmt, openFiles, rssKiB, startFleet, startHubProcess, startRig } from './lib/realtimeRig.ts';

process.env.LOG_LEVEL ??= 'error';

await runBenchmark('realtime-sockets', async () => {
  const rig = await startRig(50);
  const hub = await startHubProcess(rig);
  const limit = await fdLimit(hub.pid);
  const idleFiles = openFiles(hub.pid);
  // What the limit leaves for sockets, less a margin for Redis, the Ticket Service and /metrics.
  const target = Math.min(Number(process.env.BENCH_SOCKETS ?? Infinity), limit - idleFiles - 300);
  const rss0 = await rssKiB(hub.pid);
  log(`hub open-files limit ${limit}, ${idleFiles} open at rest, RSS ${fmt(rss0 / 1024, 1)} MiB: opening ${fmt(target)} sockets`);

  const fleet = await startFleet(2);
  const samples: [number, number][] = [];
  let sampling = true;
  const sampler = (async () => {
    while (sampling) {
      const sockets = (await scrape(hub.url).catch(() => new Map<string, number>())).get('realtime_sockets') ?? 0;
      samples.push([sockets, await rssKiB(hub.pid)]);
      await Bun.sleep(500);
    }
  })();
  const cpu0 = await cpuMs(hub.pid);
  const t0 = performance.now();
  const opened = await fleet.open({ dialect: 'hub', port: hub.port, sources: SOURCES, room: rig.project.id }, target, rig.tokens, 100);
  const openSeconds = (performance.now() - t0) / 1000;
  const cpuOpen = (await cpuMs(hub.pid)) - cpu0;
  sampling = false;
  await sampler;
  log(`opened ${fmt(opened.open)}, joined ${fmt(opened.joined)} in ${fmt(openSeconds, 1)} s (errors ${opened.errors})`);

  // Idle for a while: what stays is what an idle socket costs.
  await Bun.sleep(10_000);
  const metrics = await scrape(hub.url);
  const sockets = metrics.get('realtime_sockets') ?? NaN;
  const rss = await rssKiB(hub.pid);
  const files = openFiles(hub.pid);
  const clients = await fleet.stats();

  // Slope of RSS over sockets from 10 % of the target on (after the JIT and first allocations).
  const pts = [...samples.filter(([n]) => n >= target * 0.1), [sockets, rss] as [number, number]];
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  const mx = mean(pts.map((p) => p[0]));
  const my = mean(pts.map((p) => p[1]));
  const slope = pts.reduce((a, [x, y]) => a + (x - mx) * (y - my), 0) / pts.reduce((a, [x]) => a + (x - mx) ** 2, 0);
  const overall = (rss - rss0) / sockets;
  const projected = rss0 + overall * 50_000;

  const lines = [
    `hub: one process (bun services/realtime/src/main.ts), open-files limit ${limit}; load clients: ${fleet.pids.length} processes on ${SOURCES.length} source addresses (127.0.0.2-9)`,
    `sockets open and joined to one room: ${fmt(sockets)} (clients saw ${fmt(clients.joined)} joined; ${clients.errors} errors), hub open files ${fmt(files)}`,
    `opened in ${fmt(openSeconds, 1)} s (${fmt(sockets / openSeconds)} authenticated joins/s, hub CPU ${fmt(cpuOpen / 1000, 1)} s = ${fmt((cpuOpen * 1000) / sockets, 0)} µs per join incl. upgrade, JWT check, membership call)`,
    `hub RSS: ${fmt(rss0 / 1024, 1)} MiB at rest -> ${fmt(rss / 1024, 1)} MiB with ${fmt(sockets)} sockets after 10 s idle`,
    `RSS per socket: ${fmt(overall, 2)} KiB overall ((RSS - RSS at rest) / sockets); ${fmt(slope, 2)} KiB marginal (slope over ${pts.length} samples)   goal <= 20 KiB`,
    `projected to 50,000 sockets: ${fmt(projected / 1024, 0)} MiB RSS, ${fmt(50_000 + idleFiles + 300)} open files (raise LimitNOFILE / ulimit -n to 65536; clients need >= 7 source addresses at ~28k ephemeral ports each)`,
    `load-client side: ${fmt(clients.rssKiB / 1024, 1)} MiB RSS over ${fleet.pids.length} processes (${fmt(clients.rssKiB / sockets, 2)} KiB per socket)`,
  ];
  console.log(lines.join('\n'));
  await fleet.close();
});
