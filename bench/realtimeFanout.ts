/**
 * @module Fan-out (issue 10 § 7): one room of BENCH_FANOUT_SOCKETS sockets (5,000), BENCH_RATE events/s
 * (50) for BENCH_SECONDS (10), delivered messages/s and delivery latency (publish → frame parsed by
 * the client), side by side in the same run with Socket.IO 4 + @socket.io/redis-adapter (Node,
 * bench/realtime/socketio.mjs) serving the same room to the same clients. Both are fed through
 * Redis by a publisher of their own kind: for the hub, the bridge's script (hot window + PUBLISH on
 * `board:{id}`); for Socket.IO, a second Socket.IO node emitting to the room through the adapter.
 * The load clients (bench/realtimeClients.ts) are the same code for both, in two processes.
 *
 *   (cd bench/realtime && npm install) && bun bench/realtimeFanout.ts
 */
import { createRedisCache } from '@syncro/kit/cache';
import { freePorts } from '@syncro/testing/ports';
import { join } from 'node:path';
import { createBoardLog } from '../services/realtime/src/redis/boardLog.ts';
import { runBenchmark } from './lib/cleanup.ts';
import { REDIS_URL, ROOT, log } from './lib/env.ts';
import { spawnChild, type Child } from './lib/processes.ts';
import { SOURCES, cpuMs, fmt, rssKiB, startFleet, startHubProcess, startRig, type Fleet, type FleetStats } from './lib/realtimeRig.ts';
import { now } from './lib/wsClients.ts';

process.env.LOG_LEVEL ??= 'error';
const SOCKETS = Number(process.env.BENCH_FANOUT_SOCKETS ?? 5000);
const RATE = Number(process.env.BENCH_RATE ?? 50);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const TOTAL = RATE * SECONDS;

interface Result {
  name: string;
  stats: FleetStats;
  /** From the first publish to the last delivery (s). */
  window: number;
  cpuMs: number;
  rssKiB: number;
}

/** Waits until every socket has every event (or 15 s after the last publish), then reads the clients. */
async function collect(fleet: Fleet, t0: number) {
  const until = Date.now() + 15_000;
  let stats = await fleet.stats();
  let last = stats.delivered;
  let lastAt = now();
  while (stats.delivered < SOCKETS * TOTAL && Date.now() < until) {
    await Bun.sleep(50);
    stats = await fleet.stats();
    if (stats.delivered !== last) {
      last = stats.delivered;
      lastAt = now();
    }
  }
  return { stats, window: (lastAt - t0) / 1000 };
}

async function runHub(): Promise<Result> {
  const rig = await startRig(50);
  const hub = await startHubProcess(rig);
  const fleet = await startFleet(2);
  const opened = await fleet.open({ dialect: 'hub', port: hub.port, sources: SOURCES, room: rig.project.id }, SOCKETS, rig.tokens);
  log(`hub: ${fmt(opened.joined)} sockets joined`);
  await Bun.sleep(2000);
  await fleet.reset();
  const cache = createRedisCache({ url: REDIS_URL });
  const boardLog = createBoardLog(cache, { cap: 1000, ttlSeconds: 600 });
  const cpu0 = await cpuMs(hub.pid);
  const t0 = now();
  for (let i = 0; i < TOTAL; i++) {
    const wait = t0 + (i * 1000) / RATE - now();
    if (wait > 0) await Bun.sleep(wait);
    const version = rig.project.version + i + 1;
    const data = {
      ticketId: crypto.randomUUID(), projectId: rig.project.id, reporterId: rig.project.id, title: String(now()), priority: 'MEDIUM',
      code: `${rig.project.key}-${i + 1}`, status: 'OPEN', labels: [], version, eventId: crypto.randomUUID(), timestamp: new Date().toISOString(),
    };
    void boardLog.append(rig.project.id, { topic: 'ticket.created', version, data });
  }
  const { stats, window } = await collect(fleet, t0);
  const result = { name: 'SyncroBoard hub (Bun)', stats, window, cpuMs: (await cpuMs(hub.pid)) - cpu0, rssKiB: await rssKiB(hub.pid) };
  cache.close();
  await fleet.close();
  await hub.stop();
  await rig.tickets.stop();
  return result;
}

async function runSocketIo(): Promise<Result> {
  const script = join(ROOT, 'bench/realtime/socketio.mjs');
  const [port] = freePorts(1);
  const server: Child = await spawnChild('socketio', ['node', script, 'serve'], { PORT: String(port), REDIS_URL }, port!, async (url) => {
    return (await fetch(`${url}/socket.io/?EIO=4&transport=polling`)).status === 400 || true;
  });
  const room = `project:${crypto.randomUUID()}`;
  const fleet = await startFleet(2);
  const opened = await fleet.open({ dialect: 'socketio', port: port!, sources: SOURCES, room }, SOCKETS, ['-']);
  log(`socket.io: ${fmt(opened.joined)} sockets joined`);
  await Bun.sleep(2000);
  await fleet.reset();
  const cpu0 = await cpuMs(server.pid);
  const t0 = now();
  const publisher = Bun.spawn(['node', script, 'publish', room, String(RATE), String(SECONDS), crypto.randomUUID()], { cwd: ROOT, env: { ...process.env, REDIS_URL }, stdout: 'pipe', stderr: 'inherit' });
  await publisher.exited;
  const { stats, window } = await collect(fleet, t0);
  const result = { name: 'Socket.IO 4 + redis-adapter (Node)', stats, window, cpuMs: (await cpuMs(server.pid)) - cpu0, rssKiB: await rssKiB(server.pid) };
  await fleet.close();
  await server.stop();
  return result;
}

const row = (r: Result) => {
  const s = r.stats;
  return [
    r.name.padEnd(36),
    `${fmt(s.delivered)}/${fmt(SOCKETS * TOTAL)}`.padStart(22),
    fmt(s.delivered / r.window).padStart(10),
    fmt(s.latency.pct(50), 1).padStart(8),
    fmt(s.latency.pct(99), 1).padStart(8),
    fmt(s.latency.max, 1).padStart(8),
    fmt(r.cpuMs / 1000, 2).padStart(8),
    fmt((r.cpuMs * 1000) / Math.max(1, s.delivered), 2).padStart(8),
    fmt(r.rssKiB / 1024, 0).padStart(6),
    `${s.gaps}/${s.duplicates}`.padStart(6),
  ].join(' ');
};

await runBenchmark('realtime-fanout', async () => {
  const hub = await runHub();
  const sio = await runSocketIo();
  const lines = [
    `one room, ${fmt(SOCKETS)} sockets (2 load-client processes, ${SOURCES.length} source addresses), ${RATE} events/s for ${SECONDS} s, fed through Redis`,
    `${'server'.padEnd(36)} ${'delivered'.padStart(22)} ${'msgs/s'.padStart(10)} ${'p50 ms'.padStart(8)} ${'p99 ms'.padStart(8)} ${'max ms'.padStart(8)} ${'CPU s'.padStart(8)} ${'µs/msg'.padStart(8)} ${'MiB'.padStart(6)} ${'gap/dup'.padStart(6)}`,
    row(hub),
    row(sio),
    `ratio hub/socket.io: delivered msgs/s ${fmt(hub.stats.delivered / hub.window / (sio.stats.delivered / sio.window), 2)}x, p99 ${fmt(hub.stats.latency.pct(99) / sio.stats.latency.pct(99), 2)}x, server CPU per message ${fmt(hub.cpuMs / hub.stats.delivered / (sio.cpuMs / sio.stats.delivered), 2)}x`,
  ];
  console.log(lines.join('\n'));
});
