/** @module wrk runs: the load with the run's shape, and wrk's own summary read back as exact JSON (no unit parsing). */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { onCleanup } from './cleanup.ts';
import { LOAD, workDir } from './env.ts';

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
