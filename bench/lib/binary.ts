/**
 * @module The compiled `syncroboard` binary for bench/binary.ts: compiled the users' way
 * (scripts/compile.ts), started in a folder and awaited until its "ready at" line, signed in with the
 * setup link it prints, its memory read from /proc, and a fixed workload of creates, board reads and
 * a websocket client.
 */
import { ACCESS_COOKIE } from '@syncro/kit/auth';
import { appendFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { descendants } from '@syncro/testing/process';
import { onCleanup } from './cleanup.ts';
import { ROOT, log, workDir } from './env.ts';

/** `bun services/all-in-one/scripts/compile.ts <outfile>` from `root`; answers how long it took. */
export async function compileBinary(outfile: string, root = ROOT): Promise<number> {
  const t = performance.now();
  const build = Bun.spawn(['bun', join(root, 'services/all-in-one/scripts/compile.ts'), outfile], { cwd: root, stdout: 'pipe', stderr: 'pipe' });
  const [code, out, err] = await Promise.all([build.exited, new Response(build.stdout).text(), new Response(build.stderr).text()]);
  if (code !== 0) throw new Error(`compile failed (${code}): ${out}\n${err}`);
  return performance.now() - t;
}

export interface RunningBinary {
  pid: number;
  base: string;
  setupLink?: string;
  /** Spawn → the "ready at" line on stdout. */
  readyMs: number;
  /** The binary's own account of its start-up (its `started` log line), ms per phase. */
  phases: Record<string, number>;
  stop(): Promise<number>;
}

/**
 * Starts the binary with exactly `env` (nothing inherited) in `cwd`, and waits for its "ready at"
 * line and the setup link that follows it when the board has no user yet. Output goes to a log file
 * in the run's scratch folder.
 */
export async function startBinary(name: string, bin: string, args: string[], env: Record<string, string>, cwd: string): Promise<RunningBinary> {
  const logFile = join(workDir, `${name}.log`);
  const t0 = performance.now();
  const proc = Bun.spawn([bin, ...args], { cwd, env, stdout: 'pipe', stderr: 'pipe', stdin: 'ignore' });
  const stop = onCleanup(`${name} (pid ${proc.pid})`, async () => {
    if (proc.exitCode !== null || proc.signalCode) return;
    proc.kill('SIGTERM');
    if (!(await Promise.race([proc.exited.then(() => true), Bun.sleep(15_000).then(() => false)]))) {
      log(`${name} did not stop on SIGTERM within 15 s: SIGKILL`);
      proc.kill('SIGKILL');
      await proc.exited;
    }
  });
  let out = '';
  let readyMs = 0;
  const readyAt = Promise.withResolvers<void>();
  const pump = async (stream: ReadableStream<Uint8Array>, isStdout: boolean) => {
    const decoder = new TextDecoder();
    for await (const chunk of stream) {
      const text = decoder.decode(chunk, { stream: true });
      appendFileSync(logFile, text);
      if (!isStdout) continue;
      out += text;
      if (!readyMs && /ready at \S+/.test(out)) {
        readyMs = performance.now() - t0;
        readyAt.resolve();
      }
    }
  };
  void pump(proc.stdout as ReadableStream<Uint8Array>, true);
  void pump(proc.stderr as ReadableStream<Uint8Array>, false);
  const failed = proc.exited.then((code) => {
    throw new Error(`${name} exited with ${code} before it was ready; its output:\n${readFileSync(logFile, 'utf8').slice(-3000)}`);
  });
  const timeout = Bun.sleep(120_000).then(() => {
    throw new Error(`${name} not ready within 120 s`);
  });
  try {
    await Promise.race([readyAt.promise, failed, timeout]);
  } catch (err) {
    await stop();
    throw err;
  }
  failed.catch(() => {});
  // The setup link is printed right after the ready line, when it is printed at all.
  for (let i = 0; i < 40 && !/\/auth\/setup\/\S+\n/.test(out); i++) await Bun.sleep(25);
  const started = out.split('\n').find((l) => l.includes('"msg":"started"'));
  const { time: _t, level: _l, msg: _m, service: _s, ...phases } = started ? (JSON.parse(started) as Record<string, number>) : {};
  return {
    pid: proc.pid,
    base: out.match(/ready at (\S+)/)![1]!.replace(/\/$/, ''),
    ...(out.match(/(http\S+\/auth\/setup\/\S+)/) ? { setupLink: out.match(/(http\S+\/auth\/setup\/\S+)/)![1]! } : {}),
    readyMs,
    phases,
    async stop() {
      await stop();
      return proc.exitCode ?? -1;
    },
  };
}

/** The owner's access token from the one-time setup link (the binary has no development login). */
export async function signIn(setupLink: string): Promise<string> {
  const res = await fetch(setupLink, { redirect: 'manual' });
  if (res.status !== 303) throw new Error(`setup link answered ${res.status}: ${await res.text()}`);
  const token = res.headers
    .getSetCookie()
    .map((c) => c.split(';')[0]!)
    .find((c) => c.startsWith(`${ACCESS_COOKIE}=`))
    ?.slice(ACCESS_COOKIE.length + 1);
  if (!token) throw new Error('the setup link set no access cookie');
  return token;
}

// ------------------------------------------------------------------------------------- memory --

const kib = (text: string, field: string) => Number(new RegExp(`^${field}:\\s+(\\d+)`, 'm').exec(text)?.[1] ?? 0);

export interface Memory {
  /** The binary's own process: resident set (VmRSS) and proportional set (shared pages split). */
  rssMiB: number;
  pssMiB: number;
  /** Its child processes (the embedded Postgres: postmaster and backends), PSS summed. */
  childrenPssMiB: number;
  childProcesses: number;
}

export function memoryOf(pid: number): Memory {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const own = readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8');
  let children = 0;
  const kids = descendants(pid);
  for (const p of kids) {
    try {
      children += kib(readFileSync(`/proc/${p}/smaps_rollup`, 'utf8'), 'Pss');
    } catch {
      // gone meanwhile
    }
  }
  return { rssMiB: kib(status, 'VmRSS') / 1024, pssMiB: kib(own, 'Pss') / 1024, childrenPssMiB: children / 1024, childProcesses: kids.length };
}

// ----------------------------------------------------------------------------------- workload --

export interface Workload {
  creates: number;
  boardReads: number;
  /** ticketCreated frames the websocket client saw for the workload's creates. */
  liveFrames: number;
  seconds: number;
}

/**
 * The fixed workload before "idle after use": one project, `n` creates (8 at a time) while a
 * websocket client watches the board, then `n` board reads (8 at a time).
 */
export async function runWorkload(base: string, token: string, n: number, key = 'MEM'): Promise<Workload> {
  const t = performance.now();
  const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
  const project = await fetch(`${base}/projects`, { method: 'POST', headers, body: JSON.stringify({ name: 'Memory', key }) });
  if (project.status !== 201) throw new Error(`POST /projects: ${project.status} ${await project.text()}`);
  const frames: string[] = [];
  const ws = new WebSocket(`${base.replace(/^http/, 'ws')}/ws`, { headers: { authorization: `Bearer ${token}` } } as never);
  ws.onmessage = (m) => frames.push(JSON.parse(String(m.data)).event);
  await new Promise((resolve, reject) => ((ws.onopen = resolve), (ws.onerror = reject)));
  ws.send(JSON.stringify({ event: 'joinProject', data: { key } }));
  for (let i = 0; i < 200 && !frames.includes('joined'); i++) await Bun.sleep(25);
  if (!frames.includes('joined')) throw new Error('the websocket client did not join the board');
  const inParallel = async (count: number, f: (i: number) => Promise<void>) => {
    let next = 0;
    await Promise.all(Array.from({ length: 8 }, async () => { while (next < count) await f(next++); }));
  };
  await inParallel(n, async (i) => {
    const r = await fetch(`${base}/projects/${key}/tickets`, { method: 'POST', headers, body: JSON.stringify({ title: `memory ${i}`, labels: ['bench'] }) });
    if (r.status !== 201) throw new Error(`create: ${r.status} ${await r.text()}`);
  });
  await inParallel(n, async () => {
    const r = await fetch(`${base}/projects/${key}/board`, { headers });
    if (r.status !== 200) throw new Error(`board: ${r.status}`);
    await r.arrayBuffer();
  });
  for (let i = 0; i < 200 && frames.filter((f) => f === 'ticketCreated').length < n; i++) await Bun.sleep(50);
  ws.close();
  return { creates: n, boardReads: n, liveFrames: frames.filter((f) => f === 'ticketCreated').length, seconds: (performance.now() - t) / 1000 };
}

export const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};
