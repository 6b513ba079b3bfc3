/** @module The creates benchmark's verdict: the console summary, its section of docs/BENCHMARKS.md and the raw output in bench/results/. */
import { fmt, saveRaw, updateDoc } from '../docs.ts';
import { LOAD } from '../env.ts';
import { cpuMarkdown, machineMarkdown, type Machine } from '../machine.ts';
import { lastProfileMarkdown } from '../profiles.ts';
import { wrkFailures } from '../wrk.ts';
import { activityMarkdown } from './activity.ts';
import { DRAIN_TIMEOUT_MS, type LoadResult } from './load.ts';
import type { PgbenchResult } from './pgbench.ts';

export const GOAL_VS_PGBENCH = 0.3;

export interface CreatesRun {
  m: Machine;
  projects: number;
  load: LoadResult;
  reference: PgbenchResult;
  /** INSERT + NOTIFY, the service's create statement at 64 and at 10 clients. */
  extra: [PgbenchResult, PgbenchResult, PgbenchResult];
}

export function reportCreates({ m, projects: PROJECTS, load, reference, extra }: CreatesRun): void {
  const { result, cpu, samples, during, atEnd, drainedAfterS, maxBacklog, maxLag, ticketsCreated, server201, published, sessions } = load;
  const ratio = result.rps / reference.tps;
  const pass = ratio >= GOAL_VS_PGBENCH;
  console.log(`\nTicket creates (${PROJECTS} projects; ${LOAD.connections} connections, ${LOAD.threads} threads, ${LOAD.seconds} s)`);
  console.log(`  service  ${fmt.rps(result.rps).padStart(7)} creates/s  p50 ${fmt.ms(result.p50ms)} ms  p99 ${fmt.ms(result.p99ms)} ms  failures ${wrkFailures(result)}`);
  for (const r of [reference, ...extra]) {
    console.log(`  pgbench  ${fmt.rps(r.tps).padStart(7)} tps        p50 ${fmt.ms(r.p50ms)} ms  p99 ${fmt.ms(r.p99ms)} ms  (${r.name}, -c ${r.clients})`);
  }
  console.log(`  relay: backlog max ${maxBacklog}, at end ${atEnd.backlog}; lag max ${maxLag.toFixed(2)} s, at end ${atEnd.lag.toFixed(2)} s; drained ${drainedAfterS.toFixed(2)} s after the load`);
  console.log(`  creates/pgbench ${fmt.pct(ratio)} (goal ≥ ${fmt.pct(GOAL_VS_PGBENCH)}): ${pass ? 'PASS' : 'MISS'}`);

  const msPerCreate = ((cpu.cores.server ?? 0) * 1000) / result.rps;
  const sysShare = (cpu.sys.server ?? 0) / Math.max(1e-9, cpu.cores.server ?? 0);
  const busy = sessions.reduce((a, x) => a + x.avg, 0);
  const waitingForService = sessions.filter((x) => x.what.includes('ClientRead')).reduce((a, x) => a + x.avg, 0);
  const [notify, shaped64, shaped10] = extra as [PgbenchResult, PgbenchResult, PgbenchResult];
  const goalRate = GOAL_VS_PGBENCH * reference.tps;
  const pgRow = (r: PgbenchResult) =>
    `| pgbench: ${r.name} | ${r.clients} | ${fmt.rps(r.tps)} | ${fmt.ms(r.p50ms)} | ${fmt.ms(r.p99ms)} | ${r.transactions.toLocaleString('en-US')} | ${r.failed} |`;
  const timeline = during
    .filter((_, i) => i % 2 === 1)
    .map((s) => `${s.t.toFixed(0)} s: ${s.backlog}/${s.lag.toFixed(2)}`)
    .join(', ');
  const doc = `
## Ticket creates and relay lag (\`bun bench/creates.ts\`)

POST \`/projects/:id/tickets\` round-robin over ${PROJECTS} projects (title, priority and two labels per body),
${LOAD.connections} connections, ${LOAD.threads} wrk threads, ${LOAD.seconds} s measured after a ${LOAD.warmupSeconds} s warm-up whose events were drained first.
The service ran alone (\`BOARD_CACHE=redis\`, Kafka on loopback, the relay in the same process) on a scratch
database; pgbench ran afterwards on another scratch database with the service stopped. Run of ${m.date}.

| what | clients | per second | p50 ms | p99 ms | count | failed |
|---|---:|---:|---:|---:|---:|---:|
| Ticket Service creates (wrk) | ${LOAD.connections} | ${fmt.rps(result.rps)} | ${fmt.ms(result.p50ms)} | ${fmt.ms(result.p99ms)} | ${result.requests.toLocaleString('en-US')} | ${wrkFailures(result)} |
${[reference, ...extra].map(pgRow).join('\n')}

| goal | measured | verdict |
|---|---:|---|
| creates ≥ ${fmt.pct(GOAL_VS_PGBENCH)} of pgbench single-row INSERT | ${fmt.pct(ratio)} (${fmt.rps(result.rps)} / ${fmt.rps(reference.tps)}) | **${pass ? 'PASS' : 'MISS'}** |

Outbox relay during the run (\`/metrics\` every 500 ms):

| metric | value |
|---|---:|
| \`outbox_backlog\` max | ${maxBacklog} |
| \`outbox_backlog\` at the end of the load | ${atEnd.backlog} |
| \`outbox_relay_lag_seconds\` max | ${maxLag.toFixed(3)} |
| \`outbox_relay_lag_seconds\` at the end of the load | ${atEnd.lag.toFixed(3)} |
| end of load → backlog 0 | ${Number.isFinite(drainedAfterS) ? `${drainedAfterS.toFixed(2)} s` : `not within ${DRAIN_TIMEOUT_MS / 1000} s`} |
| events published during the window (\`outbox_published_total\`) | ${published.toLocaleString('en-US')} |

Backlog/lag every second: ${timeline}.

Checks: a sample create answered 201 before the load; the database gained ${ticketsCreated.toLocaleString('en-US')} tickets during the
measured window (wrk counted ${result.requests.toLocaleString('en-US')} answers, the service ${server201.toLocaleString('en-US')} answers 201; requests still in flight when wrk
stops are created but not counted by wrk).

Where the time goes (averages over the samples):

| run | CPU by process, in cores | Postgres sessions of the database (state: wait) |
|---|---|---|
| service creates | ${cpuMarkdown(cpu)} | ${activityMarkdown(sessions)} |
${[reference, ...extra].map((r) => `| pgbench: ${r.name} (-c ${r.clients}) | ${cpuMarkdown(r.cpu)} | ${activityMarkdown(r.activity)} |`).join('\n')}

Why the goal is ${pass ? 'met' : 'missed'}, as measured (the goal is ${fmt.rps(goalRate)} creates/s):

- **The service's own CPU.** It spent ${msPerCreate.toFixed(2)} ms of CPU per create (${(cpu.cores.server ?? 0).toFixed(2)} cores, ${fmt.pct(sysShare)} of it in the
  kernel) on its one JavaScript thread. Postgres was waiting for it: of ${busy.toFixed(1)} busy sessions on average,
  ${waitingForService.toFixed(1)} were waiting for the service's next message (\`ClientRead\`); a session waits like that between the
  statements of a transaction. Per the code, a create is one statement in one round trip
  (tickets/ticketCreator.ts): a data-modifying CTE with the membership check, the \`UPDATE\` of the project that locks it
  and takes the version and the ticket number, \`INSERT\` ticket and \`INSERT\` outbox, autocommitted, so the row lock
  lasts one statement and its commit; after the commit the relay in the same process is poked (no NOTIFY) and a Redis
  \`EVAL\` invalidates the board. The database pool is 10 connections (\`DB_POOL_MAX\`), one of which the relay keeps for its leader lock. \`BENCH_PROFILE=1 bun bench/creates.ts\` profiles the service under this load (below): its
  samples show where the service's CPU goes.
- **The create statement itself.** Run by pgbench with no application in between, the same statement reaches
  ${fmt.rps(shaped10.tps)} tps with 10 clients and ${fmt.rps(shaped64.tps)} with 64 (row-lock waits on ${PROJECTS} projects: \`Lock/tuple\`, \`Lock/transactionid\`),
  ${fmt.pct(shaped10.tps / reference.tps)} and ${fmt.pct(shaped64.tps / reference.tps)} of the single-row INSERT rate.
- **NOTIFY.** One INSERT plus \`pg_notify\` in the same transaction reaches ${fmt.rps(notify.tps)} tps, ${fmt.pct(notify.tps / reference.tps)} of the INSERT alone: the
  commit of a notifying transaction holds a lock that is one for the whole cluster (the \`Lock/object\` waits above),
  so those commits and their WAL flushes queue one by one instead of being flushed together (\`LWLock/WALWrite\` in the
  INSERT run). This is why the service no longer notifies inside its write transactions: the relay is poked in-process, and
  a relay in another process is woken by one NOTIFY per few milliseconds sent outside any write transaction.
- **The relay kept up**: the backlog never exceeded ${maxBacklog} events, the newest event was at most ${(maxLag * 1000).toFixed(0)} ms old when
  published, and the outbox was empty ${drainedAfterS.toFixed(2)} s after the load stopped.

${lastProfileMarkdown('creates')}
<details><summary>Machine</summary>

${machineMarkdown(m)}

</details>
`;
  updateDoc('creates', doc);
  saveRaw(
    'creates.txt',
    [
      `bun bench/creates.ts — ${m.date}`,
      `\n== wrk: Ticket Service creates\n${result.raw}`,
      `\n== relay samples (t s: backlog, lag s, published)\n${samples.map((s) => `${s.t.toFixed(1)}: ${s.backlog}, ${s.lag.toFixed(3)}, ${s.published}`).join('\n')}`,
      ...[reference, ...extra].map((r) => `\n== pgbench: ${r.name}\n${r.raw}`),
    ].join('\n'),
  );
}
