/**
 * @module What the benchmark scripts share, re-exported from the modules in bench/lib/:
 *
 *   env.ts        repository paths, service addresses, the load shape, the log, the scratch folder
 *   cleanup.ts    undo steps run at the end and on SIGINT/SIGTERM; runBenchmark
 *   machine.ts    the machine description, the tools needed (wrk, pgbench), CPU per process group
 *   databases.ts  scratch databases
 *   processes.ts  child processes, the Ticket Service, its /metrics
 *   wrk.ts        wrk runs with an exact JSON summary
 *   docs.ts       the marker-delimited sections of docs/BENCHMARKS.md, bench/results/, formatting
 *   profiles.ts   CPU profiles of the services (BENCH_PROFILE=1)
 *
 * Everything started through them is registered for cleanup: `cleanup()` runs from the scripts'
 * `finally` and from SIGINT/SIGTERM, so an interrupted run leaves no service process or scratch database.
 */
export * from './lib/env.ts';
export * from './lib/cleanup.ts';
export * from './lib/machine.ts';
export * from './lib/databases.ts';
export * from './lib/processes.ts';
export * from './lib/wrk.ts';
export * from './lib/docs.ts';
export * from './lib/profiles.ts';
export * from './lib/namespace.ts';
