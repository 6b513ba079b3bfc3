/** @module The machine: its description for the docs, the tools the benchmarks need on it, and the CPU each process group used during a run. */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import postgres from 'postgres';
import { PG_ADMIN_URL, REDIS_URL, ROOT, log } from './env.ts';

export interface Machine {
  date: string;
  nproc: number;
  cpu: string;
  memory: string;
  kernel: string;
  bun: string;
  postgres: string;
  redis: string;
  kafka: string;
  wrk: string;
  loadBefore: string;
  /** The commit measured, with "+ local changes" when files outside bench/ differ from it. */
  commit: string;
}

const sh = (cmd: string[]) => {
  const r = Bun.spawnSync(cmd, { stdout: 'pipe', stderr: 'pipe' });
  return (r.stdout.toString() + r.stderr.toString()).trim();
};

export async function machine(): Promise<Machine> {
  const cpuinfo = readFileSync('/proc/cpuinfo', 'utf8');
  const meminfo = readFileSync('/proc/meminfo', 'utf8');
  const memKb = Number(/^MemTotal:\s+(\d+)/m.exec(meminfo)?.[1] ?? 0);
  const admin = postgres(PG_ADMIN_URL, { max: 1, onnotice: () => {} });
  let pg = '?';
  try {
    const [r] = await admin`select current_setting('server_version') as v`;
    pg = String(r?.v ?? '?');
  } finally {
    await admin.end({ timeout: 5 });
  }
  const redisInfo = sh(['redis-cli', '-u', REDIS_URL, 'info', 'server']);
  const kafkaPom = readFileSync(join(ROOT, 'infra/kafka/pom.xml'), 'utf8');
  return {
    date: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
    nproc: Number(sh(['nproc'])),
    cpu: /^model name\s*:\s*(.+)$/m.exec(cpuinfo)?.[1]?.trim() ?? '?',
    memory: `${(memKb / 1024 / 1024).toFixed(1)} GiB`,
    kernel: sh(['uname', '-r']),
    bun: Bun.version,
    postgres: pg,
    redis: /^redis_version:(.+)$/m.exec(redisInfo)?.[1]?.trim() ?? '?',
    kafka: `Apache Kafka ${/<kafka\.version>([^<]+)</.exec(kafkaPom)?.[1] ?? '?'} (KRaft, single node, infra/kafka)`,
    // Scripts that generate their own load (bench/assign.ts) run without wrk installed.
    wrk: Bun.which('wrk') ? (sh(['wrk', '--version']).split('\n')[0]?.replace(/ Copyright.*$/, '') ?? '?') : 'wrk not installed',
    loadBefore: readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' '),
    commit: (() => {
      const head = sh(['git', '-C', ROOT, 'rev-parse', '--short', 'HEAD']);
      const dirty = sh(['git', '-C', ROOT, 'status', '--porcelain', '--untracked-files=no', '--', '.', ':!bench', ':!docs/BENCHMARKS.md']);
      return dirty ? `${head} + local changes` : head;
    })(),
  };
}

export function machineMarkdown(m: Machine): string {
  return [
    '| what | value |',
    '|---|---|',
    `| date (UTC) | ${m.date} |`,
    `| commit measured | ${m.commit} |`,
    `| cores (nproc) | ${m.nproc} |`,
    `| CPU | ${m.cpu} |`,
    `| memory | ${m.memory} |`,
    `| kernel | ${m.kernel} |`,
    `| Bun | ${m.bun} |`,
    `| PostgreSQL | ${m.postgres} |`,
    `| Redis | ${m.redis} |`,
    `| Kafka | ${m.kafka} |`,
    `| load generator | ${m.wrk} |`,
    `| load average before the run | ${m.loadBefore} |`,
  ].join('\n');
}

// -------------------------------------------------------------------------------------- tools --

/** wrk from Debian if it is missing (the machine's user is root; see bench/README.md). */
export function ensureWrk() {
  if (Bun.which('wrk')) return;
  log('wrk not found: apt-get install -y wrk');
  const update = Bun.spawnSync(['apt-get', 'update', '-qq'], { stdout: 'inherit', stderr: 'inherit' });
  const install = Bun.spawnSync(['apt-get', 'install', '-y', '-qq', 'wrk'], { stdout: 'inherit', stderr: 'inherit' });
  if (update.exitCode !== 0 || install.exitCode !== 0 || !Bun.which('wrk')) {
    throw new Error('wrk is needed: apt-get update && apt-get install -y wrk');
  }
}

export function ensurePgbench() {
  if (!Bun.which('pgbench')) throw new Error('pgbench is needed (it ships with PostgreSQL: apt-get install -y postgresql-contrib or postgresql)');
}

// ------------------------------------------------------------------------------------- CPU use --

const TICKS_PER_S = 100; // USER_HZ on Linux

interface ProcTicks {
  comm: string;
  ticks: number;
  sys: number;
}

function readProcs(): Map<number, ProcTicks> {
  const procs = new Map<number, ProcTicks>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const close = stat.lastIndexOf(')');
      const comm = stat.slice(stat.indexOf('(') + 1, close);
      const fields = stat.slice(close + 2).split(' ');
      // fields[0] is state (field 3): utime is field 14, stime field 15
      procs.set(Number(entry), { comm, ticks: Number(fields[11]) + Number(fields[12]), sys: Number(fields[12]) });
    } catch {
      /* exited meanwhile */
    }
  }
  return procs;
}

function readBusy() {
  const line = readFileSync('/proc/stat', 'utf8').split('\n')[0]!;
  const n = line.trim().split(/\s+/).slice(1).map(Number);
  const idle = (n[3] ?? 0) + (n[4] ?? 0);
  const total = n.slice(0, 8).reduce((a, b) => a + b, 0);
  return { busy: total - idle, total };
}

export interface CpuUse {
  seconds: number;
  /** Cores used per group (1.0 = one core for the whole window). */
  cores: Record<string, number>;
  /** The part of `cores` spent in the kernel (system time), where known. */
  sys: Record<string, number>;
  machine: number;
}

/**
 * CPU time per process group between `start()` and `stop()`, in cores (1.0 = one core busy for the
 * whole window). Groups are chosen by pid (the service, wrk, this script) or by command name
 * (postgres backends, redis-server, the Kafka JVM); `other` is the machine's busy time left over.
 */
export function cpuMeter(groups: { name: string; pids?: () => number[]; comm?: RegExp }[]) {
  let before: Map<number, ProcTicks> = new Map();
  let lastSeen: Map<number, ProcTicks> = new Map();
  let busyBefore = { busy: 0, total: 0 };
  let t0 = 0;
  // Processes that exit inside the window (Postgres backends of pgbench's connections) would be
  // lost: remember the last reading of every process, taken every 250 ms.
  let timer: ReturnType<typeof setInterval> | null = null;
  const classify = (pid: number, p: ProcTicks) => groups.find((g) => g.pids?.().includes(pid) || (g.comm && g.comm.test(p.comm)))?.name;
  return {
    start() {
      before = readProcs();
      lastSeen = new Map(before);
      busyBefore = readBusy();
      t0 = performance.now();
      timer = setInterval(() => {
        for (const [pid, p] of readProcs()) lastSeen.set(pid, p);
      }, 250);
    },
    /** `exited`: CPU seconds of processes that ended inside the window (wrk), by group name. */
    stop(exited: Record<string, number> = {}): CpuUse {
      if (timer) clearInterval(timer);
      const after = readProcs();
      for (const [pid, p] of lastSeen) if (!after.has(pid)) after.set(pid, p);
      const busyAfter = readBusy();
      const seconds = (performance.now() - t0) / 1000;
      const cores: Record<string, number> = Object.fromEntries(groups.map((g) => [g.name, 0]));
      const sys: Record<string, number> = {};
      let grouped = 0;
      for (const [pid, p] of after) {
        const name = classify(pid, p);
        if (!name) continue;
        const d = (p.ticks - (before.get(pid)?.ticks ?? 0)) / TICKS_PER_S / seconds;
        cores[name] = (cores[name] ?? 0) + d;
        sys[name] = (sys[name] ?? 0) + (p.sys - (before.get(pid)?.sys ?? 0)) / TICKS_PER_S / seconds;
        grouped += d;
      }
      for (const [name, cpuSeconds] of Object.entries(exited)) {
        cores[name] = (cores[name] ?? 0) + cpuSeconds / seconds;
        grouped += cpuSeconds / seconds;
      }
      const machineCores = (busyAfter.busy - busyBefore.busy) / TICKS_PER_S / seconds;
      cores.other = Math.max(0, machineCores - grouped);
      return { seconds, cores, sys, machine: machineCores };
    },
  };
}

/** Process groups of a run; wrk's share is added at stop() from its resource usage (it has exited by then). */
export const cpuGroupsFor = (service: () => number[]) => [
  { name: 'server', pids: service },
  { name: 'wrk' },
  { name: 'bench script', pids: () => [process.pid] },
  { name: 'postgres', comm: /^postgres$/ },
  { name: 'redis', comm: /^redis-server$/ },
  { name: 'kafka (JVM)', comm: /^java$/ },
];

export const cpuMarkdown = (c: CpuUse) =>
  Object.entries(c.cores)
    .filter(([, v]) => v >= 0.005)
    .sort(([, a], [, b]) => b - a)
    .map(([k, v]) => `${k} ${v.toFixed(2)}${(c.sys[k] ?? 0) >= 0.05 && v > 0 ? ` (${((c.sys[k]! / v) * 100).toFixed(0)} % sys)` : ''}`)
    .join(', ') + ` (machine ${c.machine.toFixed(2)} of ${readFileSync('/proc/cpuinfo', 'utf8').match(/^processor\s*:/gm)?.length ?? '?'} cores)`;
