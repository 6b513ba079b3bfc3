/**
 * @module Issue 14 § 6: the `syncroboard` binary's figures (about 6 minutes).
 *
 *   bun bench/binary.ts
 *
 *   1. compile it the users' way (scripts/compile.ts): time and size
 *   2. cold start to ready in an empty folder, BENCH_BINARY_RUNS (5) times, each in a fresh folder with
 *      no environment but PATH and HOME (pointing into the folder) and PORT; then a warm restart in
 *      each; the binary's own `started` line gives the time of each phase
 *   3. idle memory: 5 s after a start, and 20 s after a fixed workload (200 creates while a websocket
 *      client watches the board, 200 board reads)
 *   4. board reads/s and creates/s under wrk on the embedded default, then on the external-servers
 *      profile (scratch databases, the bench's topic namespace, the machine's Redis) in the same run
 *   5. from `git clone` to a usable board: the README's start command, and clone → compile → ready
 *
 * BENCH_BINARY_BEFORE=<an older binary>: its cold start is measured too, after this one's.
 *
 * Results: bench/results/binary.txt and the `binary` section of docs/BENCHMARKS.md.
 */
import { freePort } from '@syncro/testing/ports';
import { chmodSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { KAFKA_BROKERS, REDIS_URL, ensureWrk, log, machine, runBenchmark, scratchDatabase, useBenchNamespace, workDir } from './lib.ts';
import { compileBinary, median, memoryOf, runWorkload, signIn, startBinary, type Memory, type RunningBinary } from './lib/binary.ts';
import { cloneAndCompile, cloneAndStartSh } from './lib/binaryClone.ts';
import { measureProfile } from './lib/binaryLoad.ts';
import { reportBinary, type BinaryReport } from './lib/binaryReport.ts';

const RUNS = Number(process.env.BENCH_BINARY_RUNS ?? 5);
const WORKLOAD = 200;
/** An older binary (e.g. compiled from an earlier commit) whose cold start is measured beside this one's. */
const BEFORE = process.env.BENCH_BINARY_BEFORE;

/** A fresh folder the embedded Postgres (run as `postgres` when we are root) can reach. */
function folder(name: string) {
  const dir = mkdtempSync(join(workDir, `${name}-`));
  chmodSync(dir, 0o755);
  return dir;
}

/** The environment of a start in an empty folder: PATH, HOME inside it, the port; `--data` too (as root the default is /var/lib/syncroboard). */
const bare = (dir: string, port: number) => ({ env: { PATH: process.env.PATH!, HOME: dir, PORT: String(port) }, args: ['--data', join(dir, 'data')] });

async function main() {
  ensureWrk();
  await useBenchNamespace(); // the external profile's and the clone's events stay off the running system's topics
  chmodSync(workDir, 0o755);
  const m = await machine();
  log(`machine: ${m.nproc} cores, load ${m.loadBefore}`);

  // ------------------------------------------------------------------------------ compile --
  const bin = join(workDir, 'syncroboard');
  const compileMs = await compileBinary(bin);
  const sizeBytes = statSync(bin).size;
  log(`compiled ${bin}: ${(sizeBytes / 2 ** 20).toFixed(1)} MiB in ${Math.round(compileMs)} ms`);

  // --------------------------------------------------------------------- cold, then warm --
  const cold: RunningBinary[] = [];
  const warm: RunningBinary[] = [];
  const before: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const dir = folder(`cold-${i}`);
    const { env, args } = bare(dir, freePort());
    // The machine's dirty pages (the previous run's 150 MB, the compile) written out first, so a run
    // does not pay for the one before it.
    Bun.spawnSync(['sync']);
    const first = await startBinary(`cold-${i}`, bin, args, env, dir);
    if (!first.setupLink) throw new Error('a first start printed no setup link');
    const page = await fetch(`${first.base}/`);
    if (page.status !== 200) throw new Error(`the board page answered ${page.status}`);
    await first.stop();
    cold.push(first);
    const again = await startBinary(`warm-${i}`, bin, args, env, dir);
    await again.stop();
    warm.push(again);
    log(`run ${i + 1}/${RUNS}: cold ${Math.round(first.readyMs)} ms, warm ${Math.round(again.readyMs)} ms`);
    rmSync(dir, { recursive: true, force: true });
  }
  // The older binary's cold starts after all of these: its first start writes far more (initdb, five
  // databases, migrations), and measured here, the next unpack right after one took twice as long.
  for (let i = 0; BEFORE && i < RUNS; i++) {
    const old = folder(`before-${i}`);
    const o = bare(old, freePort());
    Bun.spawnSync(['sync']);
    const b = await startBinary(`before-${i}`, BEFORE, o.args, o.env, old);
    await b.stop();
    before.push(b.readyMs);
    log(`run ${i + 1}/${RUNS}: the binary of BENCH_BINARY_BEFORE cold ${Math.round(b.readyMs)} ms`);
    rmSync(old, { recursive: true, force: true });
  }

  // --------------------------------------------------------------------------- memory --
  const memDir = folder('memory');
  const { env: memEnv, args: memArgs } = bare(memDir, freePort());
  const embedded = await startBinary('embedded', bin, memArgs, memEnv, memDir);
  await Bun.sleep(5000);
  const idleFresh = memoryOf(embedded.pid);
  const token = await signIn(embedded.setupLink!);
  const workload = await runWorkload(embedded.base, token, WORKLOAD);
  if (workload.liveFrames < WORKLOAD) throw new Error(`the websocket client saw ${workload.liveFrames} of ${WORKLOAD} creates`);
  await Bun.sleep(20_000);
  const idleAfter = memoryOf(embedded.pid);
  log(`memory: fresh ${idleFresh.rssMiB.toFixed(1)} MiB RSS, after use ${idleAfter.rssMiB.toFixed(1)} MiB RSS (+ Postgres ${idleAfter.childrenPssMiB.toFixed(1)} MiB PSS)`);

  // ------------------------------------------------------------- embedded vs external --
  const embeddedLoad = await measureProfile('embedded', embedded.base, token);
  const embeddedAfterLoad = memoryOf(embedded.pid);
  await embedded.stop();

  const extDir = folder('external');
  const groups = (role: string) => `bench-binary-${role}-${crypto.randomUUID().slice(0, 8)}`;
  const external = await startBinary(
    'external',
    bin,
    ['--data', join(extDir, 'data')],
    {
      PATH: process.env.PATH!,
      HOME: extDir,
      PORT: String(freePort()),
      AUTH_DATABASE_URL: scratchDatabase('syncro_bench_bin_auth').url,
      TICKETS_DATABASE_URL: scratchDatabase('syncro_bench_bin_tickets').url,
      ASSIGNMENT_DATABASE_URL: scratchDatabase('syncro_bench_bin_assign').url,
      NOTIFICATIONS_DATABASE_URL: scratchDatabase('syncro_bench_bin_notify').url,
      KAFKA_BROKERS,
      KAFKA_TOPIC_PREFIX: process.env.KAFKA_TOPIC_PREFIX!,
      TICKETS_KAFKA_GROUP_ID: groups('tickets'),
      ASSIGNMENT_KAFKA_GROUP_ID: groups('assignment'),
      NOTIFICATIONS_KAFKA_GROUP_ID: groups('notifications'),
      REALTIME_KAFKA_GROUP_ID: groups('realtime'),
      REDIS_URL,
      LOG_LEVEL: 'warn',
    },
    extDir,
  );
  const externalIdle = memoryOf(external.pid);
  const externalLoad = await measureProfile('external', external.base, await signIn(external.setupLink!));
  await external.stop();

  // ------------------------------------------------------------------ from git clone --
  const startSh = await cloneAndStartSh().catch((err: Error) => ({ cloneMs: 0, startMs: 0, commit: '', skipped: `failed: ${err.message}` }));
  const binaryPath = await cloneAndCompile();

  const report: BinaryReport = {
    m,
    runs: RUNS,
    compileMs,
    sizeBytes,
    cold: cold.map((r) => ({ readyMs: r.readyMs, phases: r.phases })),
    warm: warm.map((r) => ({ readyMs: r.readyMs, phases: r.phases })),
    ...(BEFORE ? { before: { binary: BEFORE, coldMs: before } } : {}),
    memory: { idleFresh, idleAfter, embeddedAfterLoad, externalIdle } satisfies Record<string, Memory>,
    workload,
    load: { embedded: embeddedLoad, external: externalLoad },
    startSh,
    binaryPath,
  };
  reportBinary(report);
  log(`cold median ${Math.round(median(cold.map((r) => r.readyMs)))} ms, warm median ${Math.round(median(warm.map((r) => r.readyMs)))} ms`);
}

await runBenchmark('binary', main);
