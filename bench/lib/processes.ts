/** @module Child processes: spawned with a log file, awaited until ready, stopped at cleanup; the Ticket Service as one; its /metrics read back. */
import { freePorts } from '@syncro/testing/ports';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { onCleanup } from './cleanup.ts';
import { KAFKA_BROKERS, PROFILE_DIR, REDIS_URL, ROOT, log, workDir } from './env.ts';

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
