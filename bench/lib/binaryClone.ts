/**
 * @module bench/binary.ts's "from `git clone` to a usable board": the committed HEAD cloned into a
 * scratch folder, then either the README's start command (`bash infra/start.sh`, the services on
 * their fixed ports 3001–3006 and the machine's Postgres, Redis and Kafka) or the binary path
 * (install, compile, start in an empty folder), each until the board page and an API answer.
 */
import { mkdtempSync } from 'node:fs';
import { join } from 'node:path';
import { compileBinary, startBinary } from './binary.ts';
import { onCleanup } from './cleanup.ts';
import { scratchDatabase } from './databases.ts';
import { ROOT, log, workDir } from './env.ts';
import { freePort } from '@syncro/testing/ports';

const sh = (cmd: string[], cwd?: string) => {
  const r = Bun.spawnSync(cmd, { cwd, stdout: 'pipe', stderr: 'pipe' });
  if (r.exitCode !== 0) throw new Error(`${cmd.join(' ')}: ${r.stderr.toString()}`);
  return r.stdout.toString().trim();
};

/** `git clone` of this checkout, then the commit it has checked out (HEAD), as a user gets it. */
function cloneHead(into: string): { dir: string; ms: number; commit: string } {
  const commit = sh(['git', '-C', ROOT, 'rev-parse', 'HEAD']);
  const dir = join(into, 'syncroboard');
  const t = performance.now();
  sh(['git', 'clone', '--quiet', ROOT, dir]);
  sh(['git', '-C', dir, 'checkout', '--quiet', commit]);
  return { dir, ms: performance.now() - t, commit: commit.slice(0, 7) };
}

const portOpen = async (port: number) => {
  try {
    const s = await Bun.connect({ hostname: '127.0.0.1', port, socket: { data() {} } });
    s.end();
    return true;
  } catch {
    return false;
  }
};

const answers = async (url: string, check: (r: Response, body: string) => boolean) => {
  try {
    const r = await fetch(url, { signal: AbortSignal.timeout(2000) });
    return check(r, await r.text());
  } catch {
    return false;
  }
};

export interface StartShResult {
  cloneMs: number;
  /** `bash infra/start.sh` until http://127.0.0.1:3006/ serves the board and /auth/providers answers through it. */
  startMs: number;
  commit: string;
  skipped?: string;
}

const PORTS = [3001, 3002, 3003, 3004, 3005, 3006, 2525, 8025];

/**
 * The README's start command in a fresh clone. Its variables for a second instance keep it off the
 * running system's data: scratch databases, the bench's topic namespace, its own consumer groups and
 * key folder. The start is warm where the machine is: Kafka already runs (up.sh finds it), its jars
 * and Bun's package cache are on disk. Stopped afterwards: SIGTERM to start.sh's process group (its
 * EXIT trap stops the services it started).
 */
export async function cloneAndStartSh(): Promise<StartShResult> {
  const busy: number[] = [];
  for (const p of PORTS) if (await portOpen(p)) busy.push(p);
  if (busy.length) return { cloneMs: 0, startMs: 0, commit: '', skipped: `ports ${busy.join(', ')} in use (another start.sh runs on this machine)` };
  const home = mkdtempSync(join(workDir, 'clone-'));
  const { dir, ms: cloneMs, commit } = cloneHead(home);
  const env: Record<string, string> = { ...(process.env as Record<string, string>), SKIP_SETUP: '0', AUTH_KEY_DIR: join(home, 'keys') };
  for (const role of ['AUTH', 'TICKETS', 'ASSIGNMENT', 'NOTIFICATIONS']) {
    env[`${role}_DATABASE_URL`] = scratchDatabase(`syncro_bench_clone_${role.toLowerCase()}`).url;
    if (role !== 'AUTH') env[`${role}_KAFKA_GROUP_ID`] = `bench-clone-${role.toLowerCase()}-${crypto.randomUUID().slice(0, 8)}`;
  }
  env.REALTIME_KAFKA_GROUP_ID = `bench-clone-realtime-${crypto.randomUUID().slice(0, 8)}`;
  const logFile = join(workDir, 'start-sh.log');
  const t = performance.now();
  // Its own process group, so the services it starts are stopped with it.
  const proc = Bun.spawn(['setsid', 'bash', 'infra/start.sh'], { cwd: dir, env, stdout: Bun.file(logFile), stderr: Bun.file(logFile), stdin: 'ignore' });
  const stop = onCleanup(`start.sh (pid ${proc.pid})`, async () => {
    if (proc.exitCode !== null) return;
    try {
      process.kill(-proc.pid, 'SIGTERM');
    } catch {
      proc.kill('SIGTERM');
    }
    if (!(await Promise.race([proc.exited.then(() => true), Bun.sleep(20_000).then(() => false)]))) {
      log('start.sh did not stop within 20 s: SIGKILL to its process group');
      process.kill(-proc.pid, 'SIGKILL');
    }
    for (let i = 0; i < 100 && (await Promise.all(PORTS.slice(0, 6).map(portOpen))).some(Boolean); i++) await Bun.sleep(100);
  });
  let startMs = 0;
  for (const until = performance.now() + 300_000; performance.now() < until; ) {
    if (proc.exitCode !== null) throw new Error(`start.sh exited with ${proc.exitCode}; see ${logFile}`);
    const page = await answers('http://127.0.0.1:3006/', (r, b) => r.status === 200 && b.toLowerCase().includes('<!doctype html>'));
    const api = page && (await answers('http://127.0.0.1:3006/auth/providers', (r) => r.status === 200));
    if (page && api) {
      startMs = performance.now() - t;
      break;
    }
    await Bun.sleep(200);
  }
  await stop();
  if (!startMs) throw new Error(`start.sh: no board within 300 s; see ${logFile}`);
  return { cloneMs, startMs, commit };
}

export interface BinaryPathResult {
  cloneMs: number;
  installMs: number;
  compileMs: number;
  readyMs: number;
}

/** The binary path from a fresh clone: `bun install --frozen-lockfile`, compile, start in an empty folder until ready. */
export async function cloneAndCompile(): Promise<BinaryPathResult> {
  const home = mkdtempSync(join(workDir, 'clone-bin-'));
  const { dir, ms: cloneMs } = cloneHead(home);
  let t = performance.now();
  sh(['bun', 'install', '--frozen-lockfile'], dir);
  const installMs = performance.now() - t;
  const bin = join(home, 'syncroboard-binary');
  const compileMs = await compileBinary(bin, dir);
  const run = mkdtempSync(join(home, 'run-'));
  Bun.spawnSync(['chmod', '755', home, run]);
  t = performance.now();
  const b = await startBinary('clone-binary', bin, ['--data', join(run, 'data')], { PATH: process.env.PATH!, HOME: run, PORT: String(freePort()) }, run);
  const readyMs = b.readyMs;
  const page = await answers(`${b.base}/`, (r, body) => r.status === 200 && body.toLowerCase().includes('<!doctype html>'));
  const api = await answers(`${b.base}/auth/providers`, (r) => r.status === 200);
  await b.stop();
  if (!page || !api) throw new Error('the binary built from the clone did not serve the board and the API');
  return { cloneMs, installMs, compileMs, readyMs };
}
