/** @module Settings every benchmark module shares: repository paths, service addresses, the load shape, the log, and the run's scratch folder (with profile mode's folder in it). */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const ROOT = new URL('../..', import.meta.url).pathname.replace(/\/$/, '');
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

export const workDir = mkdtempSync(join(tmpdir(), 'syncro-bench-'));

/**
 * BENCH_PROFILE=1: every service runs under Bun's sampling profiler (`--cpu-prof --cpu-prof-md`,
 * written when it stops). Profiling slows the service, so the scripts then leave the docs alone.
 */
export const PROFILE_DIR = process.env.BENCH_PROFILE ? join(workDir, 'profiles') : null;
