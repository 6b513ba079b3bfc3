/**
 * @module What the realtime benchmarks share: a Ticket Service process (scratch database) trusting a
 * test IdP, one project with its members (who the hub checks joins against), the hub as its own
 * process (`services/realtime/src/main.ts`, BRIDGE=0: events are PUBLISHed straight into Redis by
 * the driver, as the bridge would), a fleet of load-client processes (bench/realtimeClients.ts), and
 * /proc readings (RSS, CPU time, open files) of any process.
 */
import { client, newUser, startTestIdp, type TestIdp } from '@syncro/testing';
import { freePorts } from '@syncro/testing/ports';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { onCleanup } from './cleanup.ts';
import { scratchDatabase } from './databases.ts';
import { KAFKA_BROKERS, REDIS_URL, ROOT, log } from './env.ts';
import { useBenchNamespace } from './namespace.ts';
import { spawnChild, type Child } from './processes.ts';
import { Histogram, type ClientSpec, type PoolStats } from './wsClients.ts';

export interface Rig {
  idp: TestIdp;
  tickets: Child;
  project: { id: string; key: string; version: number };
  /** One 2-hour token per member: socket i uses tokens[i % n]. */
  tokens: string[];
}

export async function startRig(members = 50): Promise<Rig> {
  // Its own topics (inherited by every process the rig spawns): the running system never sees the bench.
  await useBenchNamespace();
  const idp = await startTestIdp();
  onCleanup('test idp', () => idp.stop());
  const db = scratchDatabase('syncro_bench_rt');
  const [ticketsPort] = freePorts(1);
  // Its own consumer group from the topics' end: the shared broker carries other runs' assignments.
  const tickets = await spawnChild(
    'tickets',
    ['bun', '--no-warnings', 'services/tickets/src/main.ts'],
    {
      PORT: String(ticketsPort), HOST: '127.0.0.1', DATABASE_URL: db.url, KAFKA_BROKERS, REDIS_URL, BOARD_CACHE: 'redis',
      JWKS_URL: idp.jwksUrl, AUTH_ISSUER: idp.issuer, AUTH_AUDIENCE: idp.audience, LOG_LEVEL: 'warn', NODE_ENV: 'production',
      KAFKA_GROUP_ID: `bench-rt-tickets-${crypto.randomUUID()}`, KAFKA_OFFSET_RESET: 'latest',
    },
    ticketsPort!,
    async (url) => (await fetch(`${url}/health`)).status === 200,
  );
  const owner = newUser('Owner');
  const api = client(tickets.url, await idp.token(owner, { expiresIn: '2h' }));
  const res = await api.post('/projects', { name: 'Realtime bench', key: `RT${crypto.randomUUID().replaceAll('-', '').slice(0, 6).toUpperCase()}` });
  if (res.status !== 201) throw new Error(`project: ${res.status} ${JSON.stringify(res.body)}`);
  const users = [owner, ...Array.from({ length: members - 1 }, (_, i) => newUser(`Member ${i}`))];
  for (const u of users.slice(1)) {
    const added = await api.post(`/projects/${res.body.id}/members`, { userId: u.id });
    if (added.status !== 201) throw new Error(`member: ${added.status}`);
  }
  const project = (await api.get(`/projects/${res.body.id}`)).body as Rig['project'];
  const tokens = await Promise.all(users.map((u) => idp.token(u, { expiresIn: '2h' })));
  log(`project ${project.key} (${project.id}) at version ${project.version} with ${users.length} members`);
  return { idp, tickets, project, tokens };
}

/** The hub alone, as in production, on `port` (a restart reuses it). */
export async function startHubProcess(rig: Rig, port = freePorts(1)[0]!, env: Record<string, string> = {}, name = 'hub'): Promise<Child> {
  const child = await spawnChild(
    name,
    ['bun', '--no-warnings', 'services/realtime/src/main.ts'],
    {
      PORT: String(port),
      HOST: '127.0.0.1',
      BRIDGE: '0',
      REDIS_URL,
      TICKETS_URL: rig.tickets.url,
      JWKS_URL: rig.idp.jwksUrl,
      AUTH_ISSUER: rig.idp.issuer,
      AUTH_AUDIENCE: rig.idp.audience,
      LOG_LEVEL: 'warn',
      NODE_ENV: 'production',
      ...env,
    },
    port,
    async (url) => (await fetch(`${url}/health`)).status === 200,
  );
  log(`${name}: pid ${child.pid} on ${child.url}`);
  return child;
}

/**
 * The bridge alone (a hub process with BRIDGE=1 and no clients, its own consumer group from the
 * topics' end): real ticket creates reach Redis as in production, and a restart of the socket hub
 * does not wait for a group rebalance.
 */
export const startBridgeProcess = (rig: Rig) =>
  startHubProcess(rig, freePorts(1)[0]!, { BRIDGE: '1', KAFKA_BROKERS, KAFKA_GROUP_ID: `bench-rt-bridge-${crypto.randomUUID()}`, KAFKA_OFFSET_RESET: 'latest', BRIDGE_NOTIFICATIONS: '0' }, 'bridge');

// ---------------------------------------------------------------------------------------- /proc --

export const rssKiB = async (pid: number) => Number(/VmRSS:\s+(\d+)/.exec(await Bun.file(`/proc/${pid}/status`).text())?.[1] ?? NaN);

/** User + system CPU time of a process so far (ms). */
export async function cpuMs(pid: number) {
  const stat = await Bun.file(`/proc/${pid}/stat`).text();
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
}

export const openFiles = (pid: number) => readdirSync(`/proc/${pid}/fd`).length;

export const fdLimit = async (pid: number) => Number(/Max open files\s+(\d+)/.exec(await Bun.file(`/proc/${pid}/limits`).text())?.[1] ?? NaN);

// ---------------------------------------------------------------------------------------- fleet --

/** A pool's counters summed over the fleet's worker processes, plus their memory. */
export interface FleetStats extends PoolStats {
  rssKiB: number;
}

type Reply = { type: string; stats?: Omit<FleetStats, 'latency'> & { latency: { pairs: [number, number][]; count: number; max: number } } };

/** `n` load-client processes; commands go to all, answers are merged. */
export async function startFleet(n: number) {
  const workers = await Promise.all(
    Array.from({ length: n }, async (_, w) => {
      let waiting: ((r: Reply) => void) | null = null;
      const ready = Promise.withResolvers<void>();
      const proc = Bun.spawn(['bun', '--no-warnings', join(ROOT, 'bench/realtimeClients.ts')], {
        cwd: ROOT,
        stdin: 'ignore',
        stdout: 'inherit',
        stderr: 'inherit',
        ipc(message: Reply) {
          if (message.type === 'ready') return ready.resolve();
          const w = waiting;
          waiting = null;
          w?.(message);
        },
      });
      onCleanup(`load clients ${w} (pid ${proc.pid})`, async () => {
        proc.kill('SIGKILL');
        await proc.exited;
      });
      await ready.promise;
      const ask = (m: unknown) =>
        new Promise<Reply>((resolve) => {
          waiting = resolve;
          proc.send(m);
        });
      return { proc, ask };
    }),
  );
  const all = async (m: (w: number) => unknown): Promise<FleetStats> => {
    const replies = await Promise.all(workers.map((w, i) => w.ask(m(i))));
    const total: FleetStats = { open: 0, joined: 0, delivered: 0, gaps: 0, duplicates: 0, closes: 0, reconnects: 0, errors: 0, caughtUp: 0, resyncs: 0, errorCodes: {}, latency: new Histogram(), rssKiB: 0 };
    for (const r of replies) {
      if (!r.stats) continue;
      for (const k of ['open', 'joined', 'delivered', 'gaps', 'duplicates', 'closes', 'reconnects', 'errors', 'caughtUp', 'resyncs', 'rssKiB'] as const) total[k] += r.stats[k];
      total.latency.merge(Histogram.fromSparse(r.stats.latency));
      for (const [code, n] of Object.entries(r.stats.errorCodes)) total.errorCodes[code] = (total.errorCodes[code] ?? 0) + n;
    }
    return total;
  };
  return {
    pids: workers.map((w) => w.proc.pid),
    /** Opens `total` sockets split over the workers, each with its own share of source addresses. */
    open: (spec: Omit<ClientSpec, 'token'>, total: number, tokens: string[], concurrency = 100) =>
      all((w) => {
        const size = Math.floor(total / n) + (w < total % n ? 1 : 0);
        const offset = w * Math.ceil(total / n);
        return { cmd: 'open', spec, tokens, size, offset, concurrency };
      }),
    stats: () => all(() => ({ cmd: 'stats' })),
    reset: () => all(() => ({ cmd: 'reset' })),
    storm: (version: number) => all(() => ({ cmd: 'storm', version })),
    close: () => all(() => ({ cmd: 'close' })),
  };
}

export type Fleet = Awaited<ReturnType<typeof startFleet>>;

/** Loopback source addresses for the load clients (each has its own ephemeral ports). */
export const SOURCES = Array.from({ length: 8 }, (_, i) => `127.0.0.${i + 2}`);

export const fmt = (n: number, digits = 0) => n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
