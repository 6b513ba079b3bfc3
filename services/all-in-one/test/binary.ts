/**
 * The compiled `syncroboard` binary for the tests: made once per test process by scripts/compile.ts
 * (the path users take), and a started instance whose stdout is read for its URL and setup link.
 */
import { afterAll, beforeAll } from 'bun:test';
import { chmodSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { descendants } from '@syncro/testing/process';

let compiled: Promise<string> | null = null;
let compiledDir: string | null = null;

/** 130 MiB a time: each test file removes it in afterAll (a later file compiles again, in seconds). */
export function disposeCompiledBinary() {
  if (compiledDir) rmSync(compiledDir, { recursive: true, force: true });
  compiled = compiledDir = null;
}

export function compiledBinary(): Promise<string> {
  return (compiled ??= (async () => {
    const dir = (compiledDir = mkdtempSync(join(tmpdir(), 'syncroboard-bin-')));
    const outfile = join(dir, 'syncroboard');
    const build = Bun.spawn(['bun', join(import.meta.dir, '../scripts/compile.ts'), outfile], { stdout: 'pipe', stderr: 'pipe' });
    const [code, out, err] = await Promise.all([build.exited, new Response(build.stdout).text(), new Response(build.stderr).text()]);
    if (code !== 0) throw new Error(`compile failed (${code}): ${out}\n${err}`);
    return outfile;
  })());
}

export interface Started {
  proc: ReturnType<typeof Bun.spawn>;
  url: string;
  setupLink?: string;
  /** From spawn to the "ready" line. */
  readyMs: number;
  output: () => string;
  stop(): Promise<number>;
}

/** Starts the binary and waits for its "ready" line (and the setup link, which follows at once when due). */
export function startBinary(bin: string, args: string[], env: Record<string, string>, cwd: string): Promise<Started> {
  return startProcess([bin, ...args], env, cwd);
}

/**
 * Any syncroboard process (the binary, or `bun src/main.ts` from the sources) until its "ready" line,
 * within `timeoutMs` (stopped if it misses it); then the setup link, which follows at once when due.
 */
export async function startProcess(cmd: string[], env: Record<string, string>, cwd: string, { name = 'syncroboard', timeoutMs = 60_000 } = {}): Promise<Started> {
  const t0 = performance.now();
  const proc = Bun.spawn(cmd, { cwd, env, stdout: 'pipe', stderr: 'pipe' });
  let out = '';
  let err = '';
  void (async () => {
    for await (const chunk of proc.stderr as ReadableStream<Uint8Array>) err += new TextDecoder().decode(chunk);
  })();
  const reader = (proc.stdout as ReadableStream<Uint8Array>).getReader();
  let readyMs = 0;
  const deadline = performance.now() + timeoutMs;
  while (!/ready at \S+/.test(out)) {
    const { value, done } = await Promise.race([reader.read(), Bun.sleep(Math.max(deadline - performance.now(), 0)).then(() => ({ value: undefined, done: true }))]);
    if (done) {
      proc.kill('SIGTERM');
      throw new Error(`${name} did not get ready within ${timeoutMs} ms (exit code ${proc.exitCode}):\n${out}\n${err.slice(-4000)}`);
    }
    out += new TextDecoder().decode(value);
  }
  readyMs = performance.now() - t0;
  // The setup link is printed right after the ready line, when it is printed at all.
  const more = Promise.race([reader.read(), Bun.sleep(1500).then(() => null)]);
  const next = await more;
  if (next && !next.done) out += new TextDecoder().decode(next.value);
  void (async () => {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      out += new TextDecoder().decode(value);
    }
  })();
  return {
    proc,
    url: out.match(/ready at (\S+)/)![1]!,
    ...(out.match(/(http\S+\/auth\/setup\/\S+)/) ? { setupLink: out.match(/(http\S+\/auth\/setup\/\S+)/)![1]! } : {}),
    readyMs,
    output: () => `${out}\n${err}`,
    async stop() {
      proc.kill('SIGTERM');
      return proc.exited;
    },
  };
}

/** Proportional set size of a process and all its descendants (the embedded Postgres), in MiB. */
export function treePssMiB(pid: number): { mib: number; processes: number } {
  const tree = [pid, ...descendants(pid)];
  let kib = 0;
  for (const p of tree) {
    try {
      const m = readFileSync(`/proc/${p}/smaps_rollup`, 'utf8').match(/^Pss:\s+(\d+)/m);
      kib += Number(m?.[1] ?? 0);
    } catch {
      // gone meanwhile
    }
  }
  return { mib: kib / 1024, processes: tree.length };
}

/**
 * A test file's workspace for the compiled binary: an empty folder (readable by the `postgres` user,
 * which runs the embedded Postgres when the tests run as root), the binary, and whatever it
 * started, stopped after the file.
 */
export function useBinaryWorkspace(name: string) {
  const ws = { dir: '', bin: '', running: undefined as Started | undefined };
  beforeAll(async () => {
    ws.dir = mkdtempSync(join(tmpdir(), `syncro-${name}-`));
    chmodSync(ws.dir, 0o755);
    ws.bin = await compiledBinary();
  }, 180_000);
  afterAll(async () => {
    await ws.running?.stop();
    rmSync(ws.dir, { recursive: true, force: true });
    disposeCompiledBinary();
  });
  return ws;
}
