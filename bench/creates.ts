/**
 * @module Sustained ticket creates and the outbox relay's lag, against pgbench's single-row INSERT
 * rate on the same machine.
 *
 *   bun bench/creates.ts
 *
 * Phases (each a module in bench/lib/creates/):
 *   setup.ts     the Ticket Service as its own process on a scratch database (dropped afterwards)
 *                with the machine's Redis and Kafka; 16 projects and a sample create
 *   load.ts      wrk (wrkScript.ts: POST /projects/:id/tickets round-robin over the projects; 64
 *                connections, 2 threads, 10 s after a drained 2 s warm-up) while /metrics and
 *                pg_stat_activity (activity.ts) are sampled every 500 ms; then the relay's drain
 *   pgbench.ts   with the service stopped, on another scratch database: the reference single-row
 *                INSERT (the goal), the same INSERT with a NOTIFY, and the service's create statement
 *                (creates.sql.ts)
 *   report.ts    the verdict, the section of docs/BENCHMARKS.md and bench/results/creates.txt
 */
import { newUser, startTestIdp } from '@syncro/testing';
import postgres from 'postgres';
import { PROFILE_DIR, createDatabase, ensurePgbench, ensureWrk, log, machine, onCleanup, runBenchmark, scratchDatabase, startService, LOAD, useBenchNamespace } from './lib.ts';
import { measureCreates } from './lib/creates/load.ts';
import { pgbench } from './lib/creates/pgbench.ts';
import { reportCreates } from './lib/creates/report.ts';
import { seedProjects } from './lib/creates/setup.ts';
import { createsLua } from './lib/creates/wrkScript.ts';
import { INSERT_NOTIFY, INSERT_ONE, PGBENCH_SCHEMA, PROJECTS, SERVICE_CREATE } from './creates.sql.ts';

async function main() {
  await useBenchNamespace(); // the service's events stay out of the running system's topics
  ensureWrk();
  ensurePgbench();
  const m = await machine();
  log(`machine: ${m.nproc} cores, ${m.cpu}, load ${m.loadBefore}`);

  // ------------------------------------------------------------------------------ setup --
  const idp = await startTestIdp();
  onCleanup('test IdP', () => idp.stop());
  const token = await idp.token(newUser('Bench Owner'), { expiresIn: '2h' });
  const auth = { authorization: `Bearer ${token}` };
  const db = scratchDatabase();
  const svc = await startService({ name: 'tickets-creates', databaseUrl: db.url, boardCache: 'redis', jwksUrl: idp.jwksUrl, issuer: idp.issuer, audience: idp.audience });
  const projectIds = await seedProjects(svc.url, auth, PROJECTS);

  // ------------------------------------------------------------------------------- load --
  const load = await measureCreates({
    serviceUrl: svc.url,
    servicePid: svc.pid,
    databaseUrl: db.url,
    databaseName: db.name,
    script: createsLua(projectIds),
    headers: { ...auth, 'content-type': 'application/json' },
    projects: PROJECTS,
  });
  await svc.stop();
  if (PROFILE_DIR) {
    log(`profile mode: the service's CPU profile is in ${PROFILE_DIR}; pgbench and the docs skipped`);
    return;
  }

  // ---------------------------------------------------------------------------- pgbench --
  const pg = scratchDatabase('syncro_bench_pgbench');
  await createDatabase(pg.name);
  const pgsql = postgres(pg.url, { max: 1, onnotice: () => {} });
  await pgsql.unsafe(PGBENCH_SCHEMA);
  await pgsql.end({ timeout: 5 });
  const reference = await pgbench(pg.name, 'single-row INSERT', INSERT_ONE, LOAD.connections);
  const extra = [
    await pgbench(pg.name, 'INSERT + pg_notify in one transaction', INSERT_NOTIFY, LOAD.connections),
    await pgbench(pg.name, "the service's create statement (one CTE: membership, UPDATE that locks, 2 INSERTs), 16 projects", SERVICE_CREATE, LOAD.connections),
    await pgbench(pg.name, "the service's create statement, 10 clients (the service's pool size)", SERVICE_CREATE, 10),
  ] as const;

  // ----------------------------------------------------------------------------- report --
  reportCreates({ m, projects: PROJECTS, load, reference, extra: [...extra] });
}

await runBenchmark('creates', main);
