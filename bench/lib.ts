/**
 * @module What both benchmarks share: the machine description, scratch databases, the Ticket
 * Service as a child process, wrk runs with an exact JSON summary, CPU accounting per process
 * group, and the marker-delimited sections of docs/BENCHMARKS.md.
 *
 * Everything started here is registered for cleanup: `cleanup()` runs from the scripts' `finally`
 * and from SIGINT/SIGTERM, so an interrupted run leaves no service process or scratch database.
 */
import { freePorts } from '@syncro/testing/ports';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import postgres from 'postgres';

export const ROOT = new URL('..', import.meta.url).pathname.replace(/\/$/, '');
export const DOC = join(ROOT, 'docs/BENCHMARKS.md');
export const RESULTS_DIR = join(ROOT, 'bench/results');
export const PG_ADMIN_URL = process.env.PG_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
export const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
export const KAFKA_BROKERS = process.env.KAFKA_BROKERS ?? '127.0.0.1:9092';

/** The load shape every run uses (the brief's): 64 connections, 2 threads, 10 s after a 2 s warm-up. */
export const LOAD = {
  connections: Number(process.env.BENCH_CONNECTIONS ?? 64),
  threads: Number(process.env.BENCH_THREADS ?? 2),
  seconds: Number(process.env.BENCH_SECONDS ?? 10),
  warmupSeconds: Number(process.env.BENCH_WARMUP_SECONDS ?? 2),
};

export const log = (msg: string) => console.error(`[bench] ${msg}`);

// ------------------------------------------------------------------------------------ cleanup --

const cleanups: { name: string; run: () => Promise<void> }[] = [];
let cleaning: Promise<void> | null = null;

/** Registers an undo step; steps run last-registered first. Returns a function that runs it now. */
export function onCleanup(name: string, run: () => Promise<void>): () => Promise<void> {
  const entry = { name, run };
  cleanups.push(entry);
  return async () => {
    const i = cleanups.indexOf(entry);
    if (i < 0) return;
    cleanups.splice(i, 1);
    await run();
  };
}

export function cleanup(): Promise<void> {
  return (cleaning ??= (async () => {
    while (cleanups.length) {
      const step = cleanups.pop()!;
      try {
        await step.run();
      } catch (err) {
        log(`cleanup of ${step.name} failed: ${(err as Error).message}`);
      }
    }
    cleaning = null;
  })());
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    log(`${signal}: cleaning up`);
    void cleanup().finally(() => process.exit(130));
  });
}

export const workDir = mkdtempSync(join(tmpdir(), 'syncro-bench-'));

/**
 * BENCH_PROFILE=1: every service runs under Bun's sampling profiler (`--cpu-prof --cpu-prof-md`,
 * written when it stops). Profiling slows the service, so the scripts then leave the docs alone.
 */
export const PROFILE_DIR = process.env.BENCH_PROFILE ? join(workDir, 'profiles') : null;

// ------------------------------------------------------------------------------------ machine --

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
    wrk: sh(['wrk', '--version']).split('\n')[0]?.replace(/ Copyright.*$/, '') ?? '?',
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

// ---------------------------------------------------------------------------------- databases --

/** A scratch database name; the service creates and migrates it, `dropDatabase` removes it. */
export function scratchName(prefix = 'syncro_bench') {
  return `${prefix}_${crypto.randomUUID().replaceAll('-', '').slice(0, 10)}`;
}

export function dbUrl(name: string) {
  const url = new URL(PG_ADMIN_URL);
  url.pathname = `/${name}`;
  return url.toString();
}

export async function adminSql<T>(f: (sql: postgres.Sql) => Promise<T>): Promise<T> {
  const sql = postgres(PG_ADMIN_URL, { max: 1, onnotice: () => {} });
  try {
    return await f(sql);
  } finally {
    await sql.end({ timeout: 5 });
  }
}

export async function createDatabase(name: string) {
  await adminSql((sql) => sql.unsafe(`create database "${name}"`));
}

export async function dropDatabase(name: string) {
  if (!/^syncro_bench\w*$/.test(name)) throw new Error(`refusing to drop ${name}: not a bench scratch database`);
  await adminSql((sql) => sql.unsafe(`drop database if exists "${name}" with (force)`));
}

/** Registers the drop first, so a database that a child process creates is dropped too. */
export function scratchDatabase(prefix = 'syncro_bench') {
  const name = scratchName(prefix);
  onCleanup(`database ${name}`, async () => {
    await dropDatabase(name);
    log(`dropped database ${name}`);
  });
  return { name, url: dbUrl(name) };
}

// ---------------------------------------------------------------------------------- processes --

export interface Child {
  name: string;
  pid: number;
  url: string;
  port: number;
  logFile: string;
  stop(): Promise<void>;
}

async function waitFor(what: string, timeoutMs: number, probe: () => Promise<boolean>, proc: Bun.Subprocess, logFile: string) {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    if (proc.exitCode !== null) {
      throw new Error(`${what} exited with ${proc.exitCode} before it was ready; its output:\n${tail(logFile)}`);
    }
    if (await probe().catch(() => false)) return;
    await Bun.sleep(100);
  }
  throw new Error(`${what} not ready within ${timeoutMs} ms; its output:\n${tail(logFile)}`);
}

const tail = (file: string) => (existsSync(file) ? readFileSync(file, 'utf8').split('\n').slice(-30).join('\n') : '(no output)');

/** Spawns a process with stdout+stderr in a log file, waits until `ready`, stops it with SIGTERM then SIGKILL. */
export async function spawnChild(
  name: string,
  cmd: string[],
  env: Record<string, string>,
  port: number,
  ready: (url: string) => Promise<boolean>,
  timeoutMs = 60_000,
): Promise<Child> {
  const logFile = join(workDir, `${name}.log`);
  const out = Bun.file(logFile);
  const proc = Bun.spawn(cmd, { cwd: ROOT, env: { ...process.env, ...env }, stdout: out, stderr: out, stdin: 'ignore' });
  const url = `http://127.0.0.1:${port}`;
  const stop = onCleanup(`${name} (pid ${proc.pid})`, async () => {
    if (proc.exitCode !== null || proc.signalCode) return;
    proc.kill('SIGTERM');
    const exited = await Promise.race([proc.exited.then(() => true), Bun.sleep(10_000).then(() => false)]);
    if (!exited) {
      log(`${name} did not stop on SIGTERM within 10 s: SIGKILL`);
      proc.kill('SIGKILL');
      await proc.exited;
    }
  });
  try {
    await waitFor(name, timeoutMs, () => ready(url), proc, logFile);
  } catch (err) {
    await stop();
    throw err;
  }
  return { name, pid: proc.pid, url, port, logFile, stop };
}

export interface ServiceOptions {
  name: string;
  databaseUrl: string;
  boardCache: 'redis' | 'off';
  jwksUrl: string;
  issuer: string;
  audience: string;
}

/** The Ticket Service alone (`bun services/tickets/src/main.ts`) on a free loopback port. */
export async function startService(o: ServiceOptions): Promise<Child> {
  const [port] = freePorts(1);
  const env = {
    PORT: String(port),
    HOST: '127.0.0.1',
    DATABASE_URL: o.databaseUrl,
    KAFKA_BROKERS,
    REDIS_URL,
    BOARD_CACHE: o.boardCache,
    JWKS_URL: o.jwksUrl,
    AUTH_ISSUER: o.issuer,
    AUTH_AUDIENCE: o.audience,
    LOG_LEVEL: 'warn',
    NODE_ENV: 'production',
  };
  const child = await spawnChild(o.name, ['bun', '--no-warnings', ...(PROFILE_DIR ? ['--cpu-prof', '--cpu-prof-md', `--cpu-prof-dir=${PROFILE_DIR}`] : []), 'services/tickets/src/main.ts'], env, port!, async (url) => {
    const r = await fetch(`${url}/health`);
    return r.status === 200;
  });
  log(`${o.name}: pid ${child.pid} on ${child.url} (BOARD_CACHE=${o.boardCache}, log ${child.logFile})`);
  return child;
}

// ----------------------------------------------------------------------------------- metrics --

export async function scrape(url: string): Promise<Map<string, number>> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const values = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const at = line.lastIndexOf(' ');
    values.set(line.slice(0, at), Number(line.slice(at + 1)));
  }
  return values;
}

/** Sum of the series of `name` whose labels contain every `label="value"` given. */
export function metricSum(values: Map<string, number>, name: string, labels: Record<string, string> = {}) {
  let sum = 0;
  for (const [series, v] of values) {
    if (series !== name && !series.startsWith(`${name}{`)) continue;
    if (Object.entries(labels).every(([k, val]) => series.includes(`${k}="${val}"`))) sum += v;
  }
  return sum;
}

// ---------------------------------------------------------------------------------------- wrk --

export interface WrkResult {
  requests: number;
  seconds: number;
  rps: number;
  bytes: number;
  p50ms: number;
  p90ms: number;
  p99ms: number;
  maxms: number;
  meanms: number;
  errors: { connect: number; read: number; write: number; status: number; timeout: number };
  /** CPU seconds wrk itself used (user + system), from its resource usage at exit. */
  cpuSeconds: number;
  raw: string;
}

/** A `done()` that prints wrk's own summary as one JSON line: exact numbers, no unit parsing. */
export const WRK_DONE_LUA = `
function done(summary, latency, requests)
  io.write(string.format(
    'WRKJSON {"requests":%d,"duration_us":%d,"bytes":%d,"errors":{"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d},' ..
    '"latency_us":{"p50":%.1f,"p90":%.1f,"p99":%.1f,"max":%.1f,"mean":%.1f}}\\n',
    summary.requests, summary.duration, summary.bytes,
    summary.errors.connect, summary.errors.read, summary.errors.write, summary.errors.status, summary.errors.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max, latency.mean))
end
`;

export interface WrkOptions {
  url: string;
  seconds: number;
  /** Lua with at least WRK_DONE_LUA in it. */
  script: string;
  headers?: Record<string, string>;
  connections?: number;
  threads?: number;
}

export async function runWrk(o: WrkOptions): Promise<WrkResult> {
  const scriptFile = join(workDir, `wrk-${crypto.randomUUID().slice(0, 8)}.lua`);
  writeFileSync(scriptFile, o.script);
  const args = [
    'wrk',
    '-c',
    String(o.connections ?? LOAD.connections),
    '-t',
    String(o.threads ?? LOAD.threads),
    '-d',
    `${o.seconds}s`,
    '--timeout',
    '10s',
    '--latency',
    '-s',
    scriptFile,
  ];
  for (const [k, v] of Object.entries(o.headers ?? {})) args.push('-H', `${k}: ${v}`);
  args.push(o.url);
  const proc = Bun.spawn(args, { stdout: 'pipe', stderr: 'pipe' });
  const stop = onCleanup(`wrk (pid ${proc.pid})`, async () => {
    if (proc.exitCode === null) proc.kill('SIGKILL');
  });
  const [out, err] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text()]);
  await proc.exited;
  await stop();
  if (proc.exitCode !== 0) throw new Error(`wrk exited with ${proc.exitCode}: ${err}\n${out}`);
  const json = /^WRKJSON (.+)$/m.exec(out)?.[1];
  if (!json) throw new Error(`wrk printed no summary:\n${out}\n${err}`);
  const s = JSON.parse(json) as {
    requests: number;
    duration_us: number;
    bytes: number;
    errors: WrkResult['errors'];
    latency_us: { p50: number; p90: number; p99: number; max: number; mean: number };
  };
  const seconds = s.duration_us / 1e6;
  const raw = out.replace(/^WRKJSON .+\n?/m, '').trimEnd();
  const usage = proc.resourceUsage();
  const cpuSeconds = usage ? Number(usage.cpuTime.total) / 1e6 : 0;
  return {
    requests: s.requests,
    seconds,
    rps: s.requests / seconds,
    bytes: s.bytes,
    p50ms: s.latency_us.p50 / 1000,
    p90ms: s.latency_us.p90 / 1000,
    p99ms: s.latency_us.p99 / 1000,
    maxms: s.latency_us.max / 1000,
    meanms: s.latency_us.mean / 1000,
    errors: s.errors,
    cpuSeconds,
    raw,
  };
}

/** Non-2xx answers and socket errors of a run, as one number that must be 0. */
export const wrkFailures = (r: WrkResult) => r.errors.status + r.errors.connect + r.errors.read + r.errors.write + r.errors.timeout;

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

// -------------------------------------------------------------------------------------- docs --

const DOC_HEADER = `# Benchmarks

Measured numbers, produced by the scripts in \`bench/\` (see \`bench/README.md\`) and written here by
them: each script replaces only its own section between its marker comments. Every number comes
from a real run on the machine described in its section; nothing is edited by hand. The load
generator (\`wrk\`), the server under test, PostgreSQL, Redis and Kafka all share the same machine
(2 cores), so the ceiling measured is the machine's, not the service's alone: every core-second
that wrk spends generating load is one the server does not get. Each section lists how the CPU was
split between them during the measured window ("cores": 1.00 = one core busy for the whole window).
Latency percentiles are per request as the load generator saw them (wrk's, or pgbench's per-transaction
log), with a closed loop of 64 connections, so they include queueing.
`;

/** Replaces the text between `<!-- bench:ID:start -->` and `<!-- bench:ID:end -->`, appending the section if new. */
export function updateDoc(id: string, body: string) {
  if (PROFILE_DIR) {
    log(`profile mode: CPU profiles of the services in ${PROFILE_DIR}; docs/BENCHMARKS.md left unchanged`);
    return;
  }
  const start = `<!-- bench:${id}:start -->`;
  const end = `<!-- bench:${id}:end -->`;
  let doc = existsSync(DOC) ? readFileSync(DOC, 'utf8') : DOC_HEADER;
  const block = `${start}\n${body.trim()}\n${end}`;
  const a = doc.indexOf(start);
  const b = doc.indexOf(end);
  if (a >= 0 && b > a) doc = doc.slice(0, a) + block + doc.slice(b + end.length);
  else doc = `${doc.trimEnd()}\n\n${block}\n`;
  writeFileSync(DOC, doc);
  log(`updated ${DOC} (section ${id})`);
}

export function saveRaw(name: string, text: string) {
  if (PROFILE_DIR) return;
  const file = join(RESULTS_DIR, name);
  Bun.spawnSync(['mkdir', '-p', RESULTS_DIR]);
  writeFileSync(file, text.trimEnd() + '\n');
  log(`raw output in ${file}`);
}

// ------------------------------------------------------------------------------------- format --

export const fmt = {
  rps: (n: number) => Math.round(n).toLocaleString('en-US'),
  ms: (n: number) => (n >= 100 ? n.toFixed(0) : n >= 10 ? n.toFixed(1) : n.toFixed(2)),
  pct: (n: number) => `${(n * 100).toFixed(0)} %`,
  x: (n: number) => `${n.toFixed(1)}×`,
  bytes: (n: number) => (n >= 1024 * 1024 ? `${(n / 1024 / 1024).toFixed(1)} MiB` : n >= 1024 ? `${(n / 1024).toFixed(1)} KiB` : `${n} B`),
};

// ------------------------------------------------------------------------------------ profiles --

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string };
  hitCount?: number;
  children?: number[];
}

/** Which part of the code a script URL belongs to: a package, or a folder of this repo. */
function ownerOf(raw: string): string | null {
  const url = raw.replace(/^file:\/\//, '');
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(url);
  if (pkg) return pkg[1]!;
  const repo = url.startsWith(ROOT) ? url.slice(ROOT.length + 1) : null;
  if (repo) {
    const m = /^(shared\/kit\/src\/[^/]+|shared\/[^/]+|services\/[^/]+\/src\/[^/]+|bench)/.exec(repo);
    return m ? m[1]! : repo;
  }
  return null; // native code, node:* and internal:* modules: charged to the nearest caller that is ours
}

/**
 * Samples of a Bun `.cpuprofile` per code owner: each sample goes to the innermost frame that is
 * in a package or in this repo, so native work (a socket write, JSON.stringify) is charged to the
 * library or module that asked for it. Returns "owner share" lines, busiest first.
 */
export function profileByOwner(file: string, top = 12): string[] {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as { nodes: ProfileNode[]; samples: number[] };
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const owner = new Map<number, string>();
  const resolve = (id: number): string => {
    const known = owner.get(id);
    if (known) return known;
    const n = byId.get(id)!;
    const direct = ownerOf(n.callFrame.url);
    const p = parent.get(id);
    const name = direct ?? (p === undefined ? '(native code with no JavaScript caller: server, sockets, GC)' : resolve(p));
    owner.set(id, name);
    return name;
  };
  const counts = new Map<string, number>();
  const self = new Map<string, number>();
  let total = 0;
  for (const id of profile.samples) {
    const fn = byId.get(id)?.callFrame.functionName;
    if (fn === '(idle)' || fn === '(program)') continue;
    const name = resolve(id);
    counts.set(name, (counts.get(name) ?? 0) + 1);
    const frame = byId.get(id)!.callFrame;
    const key = `${frame.functionName || '(anonymous)'} ${frame.url ? frame.url.replace(/^file:\/\//, '').replace(`${ROOT}/`, '') : '[native]'} ← ${name}`;
    self.set(key, (self.get(key) ?? 0) + 1);
    total++;
  }
  const lines = (m: Map<string, number>, n: number) =>
    [...m]
      .sort(([, a], [, b]) => b - a)
      .slice(0, n)
      .map(([name, c]) => `${((c / total) * 100).toFixed(1).padStart(5)} %  ${name}`);
  return [`by code owner (native work charged to the nearest caller):`, ...lines(counts, top), `hottest functions (self):`, ...lines(self, 8)];
}

/** In profile mode, prints (and keeps in bench/results/) where each service's CPU samples went. */
export function reportProfiles(label: string) {
  if (!PROFILE_DIR || !existsSync(PROFILE_DIR)) return;
  const lines: string[] = [];
  for (const f of readdirSync(PROFILE_DIR).filter((f) => f.endsWith('.cpuprofile')).sort()) {
    lines.push(`${f}`, ...profileByOwner(join(PROFILE_DIR, f)).map((l) => `  ${l}`));
  }
  const text =
    `CPU samples of the service (bun --cpu-prof, 1 ms), whole process life: set-up, warm-up and the measured run (${label}, ${new Date().toISOString()}):\n` +
    lines.join('\n');
  console.log(`\n${text}`);
  Bun.spawnSync(['mkdir', '-p', RESULTS_DIR]);
  writeFileSync(join(RESULTS_DIR, `profile-${label}.txt`), text + '\n');
}

/**
 * Runs a benchmark's main, then always cleans up (processes, scratch databases, cache keys). The
 * scratch folder with the children's logs is kept when the run failed or profiled, else removed.
 */
export async function runBenchmark(label: string, main: () => Promise<void>) {
  let failed = false;
  try {
    await main();
  } catch (err) {
    failed = true;
    log(`failed: ${(err as Error).stack ?? err}`);
    log(`logs of the child processes are in ${workDir}`);
  } finally {
    await cleanup();
  }
  reportProfiles(label);
  if (!failed && !PROFILE_DIR) rmSync(workDir, { recursive: true, force: true });
  process.exit(failed ? 1 : 0);
}

/** The last profile summary of a script (bench/results/profile-<label>.txt) as a collapsed block, if there is one. */
export function lastProfileMarkdown(label: string): string {
  const file = join(RESULTS_DIR, `profile-${label}.txt`);
  if (!existsSync(file)) return '';
  return `<details><summary>Last CPU profile of the service (\`BENCH_PROFILE=1 bun bench/${label}.ts\`, bench/results/profile-${label}.txt)</summary>

\`\`\`
${readFileSync(file, 'utf8').trimEnd()}
\`\`\`

</details>
`;
}
