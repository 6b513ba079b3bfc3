/**
 * @module Sustained ticket creates and the outbox relay's lag, against pgbench's single-row INSERT
 * rate on the same machine.
 *
 *   bun bench/creates.ts
 *
 * The Ticket Service runs as its own process on a scratch database (dropped afterwards) with the
 * machine's Redis and Kafka. wrk (64 connections, 2 threads, 10 s after a 2 s warm-up) POSTs
 * `/projects/:id/tickets` round-robin over 16 projects (a Lua script builds each body). Every
 * 500 ms during the run this script scrapes `/metrics` (outbox_backlog, outbox_relay_lag_seconds,
 * outbox_published_total) and samples pg_stat_activity of the scratch database; after the load
 * it polls every 100 ms until the backlog is 0. Then pgbench runs on another scratch database: the
 * reference single-row INSERT (the goal), and, to show where a create's time goes, the same INSERT
 * with a NOTIFY and a transaction shaped like the service's create.
 */
import { newUser, startTestIdp } from '@syncro/testing';
import { readdirSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import postgres from 'postgres';
import {
  LOAD,
  PROFILE_DIR,
  WRK_DONE_LUA,
  cpuGroupsFor,
  cpuMarkdown,
  cpuMeter,
  dbUrl,
  ensurePgbench,
  ensureWrk,
  fmt,
  lastProfileMarkdown,
  runBenchmark,
  log,
  machine,
  machineMarkdown,
  metricSum,
  onCleanup,
  runWrk,
  saveRaw,
  scrape,
  scratchDatabase,
  createDatabase,
  startService,
  updateDoc,
  workDir,
  wrkFailures,
  type WrkResult,
} from './lib.ts';
import { INSERT_NOTIFY, INSERT_ONE, PGBENCH_SCHEMA, PROJECTS, SERVICE_SHAPED } from './creates.sql.ts';

const GOAL_VS_PGBENCH = 0.3;
const DRAIN_TIMEOUT_MS = 120_000;

// ------------------------------------------------------------------- wait-event sampling --

/** Counts, over samples, what the database's non-idle sessions were doing (pg_stat_activity). */
function activitySampler(sql: postgres.Sql, database: string) {
  const counts = new Map<string, number>();
  let samples = 0;
  return {
    async sample() {
      const rows = await sql<{ what: string; n: number }[]>`
        select state || ': ' || coalesce(wait_event_type || '/' || wait_event, 'on CPU') as what, count(*)::int as n
        from pg_stat_activity
        where datname = ${database} and pid <> pg_backend_pid() and state is not null and state <> 'idle'
          and backend_type = 'client backend'
        group by 1`;
      samples++;
      for (const r of rows) counts.set(r.what, (counts.get(r.what) ?? 0) + r.n);
    },
    /** Average number of sessions in each state, busiest first. */
    summary(top = 6) {
      return [...counts]
        .map(([what, n]) => ({ what, avg: n / Math.max(1, samples) }))
        .sort((a, b) => b.avg - a.avg)
        .slice(0, top);
    },
  };
}

const activityMarkdown = (s: { what: string; avg: number }[]) =>
  s.length ? s.map((x) => `${x.what} ${x.avg.toFixed(1)}`).join('; ') : 'nothing sampled';

// ------------------------------------------------------------------------------ pgbench --

interface PgbenchResult {
  name: string;
  clients: number;
  tps: number;
  transactions: number;
  failed: number;
  p50ms: number;
  p99ms: number;
  activity: { what: string; avg: number }[];
  cpu: ReturnType<ReturnType<typeof cpuMeter>['stop']>;
  raw: string;
}

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;

async function pgbench(database: string, name: string, script: string, clients: number): Promise<PgbenchResult> {
  const dir = join(workDir, `pgbench-${name.replace(/\W+/g, '-')}-${clients}`);
  mkdirSync(dir, { recursive: true });
  const file = join(dir, 'script.sql');
  writeFileSync(file, script);
  const url = new URL(dbUrl(database));
  const args = [
    'pgbench', '-n', '-c', String(clients), '-j', String(LOAD.threads), '-T', String(LOAD.seconds),
    '-f', file, '-h', url.hostname, '-p', url.port || '5432', '-U', url.username || 'postgres',
    '-l', `--log-prefix=${join(dir, 'tx')}`, database,
  ];
  const sql = postgres(dbUrl('postgres'), { max: 1, onnotice: () => {} });
  const activity = activitySampler(sql, database);
  const meter = cpuMeter(cpuGroupsFor(() => []).map((g) => (g.name === 'server' ? { name: 'pgbench', comm: /^pgbench$/ } : g)));
  log(`pgbench ${name}: ${clients} clients, ${LOAD.threads} threads, ${LOAD.seconds} s`);
  meter.start();
  const proc = Bun.spawn(args, { cwd: dir, stdout: 'pipe', stderr: 'pipe' });
  const stop = onCleanup(`pgbench (pid ${proc.pid})`, async () => {
    if (proc.exitCode === null) proc.kill('SIGKILL');
  });
  let running = true;
  const sampling = (async () => {
    await Bun.sleep(1000);
    while (running) {
      await activity.sample().catch(() => {});
      await Bun.sleep(500);
    }
  })();
  const [out, err] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text()]);
  await proc.exited;
  running = false;
  await sampling;
  const usage = proc.resourceUsage();
  const cpu = meter.stop({ pgbench: usage ? Number(usage.cpuTime.total) / 1e6 : 0 });
  await sql.end({ timeout: 5 });
  await stop();
  if (proc.exitCode !== 0) throw new Error(`pgbench exited with ${proc.exitCode}:\n${out}\n${err}`);
  const tps = Number(/^tps = ([\d.]+) \(without initial connection time\)/m.exec(out)?.[1] ?? NaN);
  const transactions = Number(/^number of transactions actually processed: (\d+)/m.exec(out)?.[1] ?? NaN);
  const failed = Number(/^number of failed transactions: (\d+)/m.exec(out)?.[1] ?? 0);
  // Per-transaction log: client_id transaction_no time_us script_no epoch epoch_us
  const latencies: number[] = [];
  for (const f of readdirSync(dir).filter((f) => f.startsWith('tx.'))) {
    for (const line of readFileSync(join(dir, f), 'utf8').split('\n')) {
      const us = Number(line.split(' ')[2]);
      if (line && Number.isFinite(us)) latencies.push(us / 1000);
    }
  }
  latencies.sort((a, b) => a - b);
  const r: PgbenchResult = {
    name, clients, tps, transactions, failed,
    p50ms: percentile(latencies, 50),
    p99ms: percentile(latencies, 99),
    activity: activity.summary(),
    cpu,
    raw: `$ ${args.join(' ')}\n${out.trim()}`,
  };
  log(`pgbench ${name} (-c ${clients}): ${fmt.rps(tps)} tps, p50 ${fmt.ms(r.p50ms)} ms, p99 ${fmt.ms(r.p99ms)} ms, failed ${failed}; CPU: ${cpuMarkdown(cpu)}`);
  log(`  sessions: ${activityMarkdown(r.activity)}`);
  return r;
}

// ----------------------------------------------------------------------------------- main --

async function main() {
  ensureWrk();
  ensurePgbench();
  const m = await machine();
  log(`machine: ${m.nproc} cores, ${m.cpu}, load ${m.loadBefore}`);

  const idp = await startTestIdp();
  onCleanup('test IdP', () => idp.stop());
  const owner = newUser('Bench Owner');
  const token = await idp.token(owner, { expiresIn: '2h' });
  const auth = { authorization: `Bearer ${token}` };
  const db = scratchDatabase();
  const svc = await startService({ name: 'tickets-creates', databaseUrl: db.url, boardCache: 'redis', jwksUrl: idp.jwksUrl, issuer: idp.issuer, audience: idp.audience });

  const projectIds: string[] = [];
  for (let i = 1; i <= PROJECTS; i++) {
    const r = await fetch(`${svc.url}/projects`, {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/json' },
      body: JSON.stringify({ name: `Creates benchmark ${i}`, key: `BENCH${String(i).padStart(2, '0')}` }),
    });
    if (r.status !== 201) throw new Error(`POST /projects: ${r.status} ${await r.text()}`);
    projectIds.push(((await r.json()) as { id: string }).id);
  }
  onCleanup('board cache keys', async () => {
    const redis = new Bun.RedisClient(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
    await redis.del(...projectIds.flatMap((id) => [`project:tickets:${id}`, `project:tickets:${id}:fence`]));
    redis.close();
  });
  // A sample create before the load: 201 with the ticket, so wrk's 2xx count means tickets.
  const probe = await fetch(`${svc.url}/projects/${projectIds[0]}/tickets`, {
    method: 'POST',
    headers: { ...auth, 'content-type': 'application/json' },
    body: JSON.stringify({ title: 'probe', priority: 'LOW', labels: ['bench'] }),
  });
  if (probe.status !== 201) throw new Error(`sample create answered ${probe.status}: ${await probe.text()}`);

  const script = `
local ids = { ${projectIds.map((id) => `"${id}"`).join(', ')} }
local priorities = { "LOW", "MEDIUM", "HIGH", "URGENT" }
local threads = {}
local n = 0
function setup(thread)
  n = n + 1
  thread:set("tid", n)
  table.insert(threads, thread)
end
local counter = 0
function request()
  counter = counter + 1
  local i = counter * 2 + tid
  local body = string.format('{"title":"Bench ticket %d-%d: drag and drop on the board","priority":"%s","labels":["bench","l%d"]}',
    tid, counter, priorities[(i % 4) + 1], i % 7)
  return wrk.format("POST", "/projects/" .. ids[(i % #ids) + 1] .. "/tickets", nil, body)
end
${WRK_DONE_LUA}`;
  const headers = { ...auth, 'content-type': 'application/json' };
  const url = `${svc.url}/`;

  const sql = postgres(db.url, { max: 2, onnotice: () => {} });
  onCleanup('bench connection', () => sql.end({ timeout: 5 }));
  const countTickets = async () => Number((await sql`select count(*)::int as n from tickets`)[0]?.n ?? 0);
  const backlogNow = async () => Number((await sql`select count(*)::int as n from outbox where published_at is null`)[0]?.n ?? 0);

  log(`warm-up ${LOAD.warmupSeconds} s`);
  await runWrk({ url, seconds: LOAD.warmupSeconds, script, headers });
  const drainUntil = Date.now() + DRAIN_TIMEOUT_MS;
  while ((await backlogNow()) > 0 && Date.now() < drainUntil) await Bun.sleep(100);

  // --------------------------------------------------------------------------- measured --
  const before = await scrape(svc.url);
  const ticketsBefore = await countTickets();
  const activity = activitySampler(sql, db.name);
  const samples: { t: number; backlog: number; lag: number; published: number }[] = [];
  const t0 = performance.now();
  let loadRunning = true;
  const takeSample = async () => {
    const mm = await scrape(svc.url);
    samples.push({
      t: (performance.now() - t0) / 1000,
      backlog: metricSum(mm, 'outbox_backlog'),
      lag: metricSum(mm, 'outbox_relay_lag_seconds'),
      published: metricSum(mm, 'outbox_published_total'),
    });
  };
  const sampler = (async () => {
    while (loadRunning) {
      const next = performance.now() + 500;
      await Promise.all([takeSample(), activity.sample()]).catch((err) => log(`sample failed: ${(err as Error).message}`));
      await Bun.sleep(Math.max(0, next - performance.now()));
    }
  })();
  const meter = cpuMeter(cpuGroupsFor(() => [svc.pid]));
  log(`creates: ${LOAD.seconds} s, ${LOAD.connections} connections, ${LOAD.threads} threads, ${PROJECTS} projects`);
  meter.start();
  const result: WrkResult = await runWrk({ url, seconds: LOAD.seconds, script, headers });
  const cpu = meter.stop({ wrk: result.cpuSeconds });
  const loadEnded = performance.now();
  loadRunning = false;
  await sampler;
  await takeSample();
  const atEnd = samples.at(-1)!;
  // Drain: poll every 100 ms until the relay has published everything.
  let drainedAfterS = NaN;
  const drainDeadline = Date.now() + DRAIN_TIMEOUT_MS;
  while (Date.now() < drainDeadline) {
    await takeSample();
    if (samples.at(-1)!.backlog === 0) {
      drainedAfterS = (performance.now() - loadEnded) / 1000;
      break;
    }
    await Bun.sleep(100);
  }
  const after = await scrape(svc.url);
  const ticketsCreated = (await countTickets()) - ticketsBefore;
  const delta = (name: string, labels: Record<string, string> = {}) => metricSum(after, name, labels) - metricSum(before, name, labels);
  const server201 = delta('http_requests_total', { route: '/projects/:id/tickets', status: '201' });
  const published = delta('outbox_published_total');
  const during = samples.filter((s) => s.t <= (loadEnded - t0) / 1000);
  const maxBacklog = Math.max(...samples.map((s) => s.backlog));
  const maxLag = Math.max(...samples.map((s) => s.lag));
  const sessions = activity.summary();
  log(
    `creates: ${fmt.rps(result.rps)}/s, p50 ${fmt.ms(result.p50ms)} ms, p99 ${fmt.ms(result.p99ms)} ms, non-2xx ${result.errors.status}, ` +
      `socket errors ${wrkFailures(result) - result.errors.status}; tickets in the database +${ticketsCreated}, server-counted 201s ${server201}`,
  );
  log(`relay: backlog max ${maxBacklog} (end of load ${atEnd.backlog}), lag max ${maxLag.toFixed(3)} s (end of load ${atEnd.lag.toFixed(3)} s), drained ${drainedAfterS.toFixed(2)} s after the load, published ${published}`);
  log(`CPU: ${cpuMarkdown(cpu)}`);
  log(`sessions: ${activityMarkdown(sessions)}`);
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
    await pgbench(pg.name, "the service's create transaction (UPDATE that locks, 2 INSERTs), 16 projects", SERVICE_SHAPED, LOAD.connections),
    await pgbench(pg.name, "the service's create transaction, 10 clients (the service's pool size)", SERVICE_SHAPED, 10),
  ];

  // ---------------------------------------------------------------------------- verdict --
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
  statements of a create's transaction, holding the project's row lock all the while. Per the code, a create is six round trips: the membership query, then BEGIN, one
  \`UPDATE\` of the project that locks it and takes the version and the ticket number, \`INSERT\` ticket, \`INSERT\`
  outbox, COMMIT; after the commit the relay in the same process is poked (no NOTIFY) and a Redis \`EVAL\` invalidates the
  board. The database pool is 10 connections (\`DB_POOL_MAX\`), one of which the relay keeps for its leader lock. \`BENCH_PROFILE=1 bun bench/creates.ts\` profiles the service under this load (below): its
  samples show where the service's CPU goes.
- **The create transaction itself.** Run by pgbench with no application in between, the same statements reach
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

await runBenchmark('creates', main);
