/** @module pgbench runs on a scratch database: tps, latency percentiles from its per-transaction log, sessions, CPU. */
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import postgres from 'postgres';
import { onCleanup } from '../cleanup.ts';
import { dbUrl } from '../databases.ts';
import { LOAD, log, workDir } from '../env.ts';
import { cpuGroupsFor, cpuMarkdown, cpuMeter } from '../machine.ts';
import { fmt } from '../docs.ts';
import { activityMarkdown, activitySampler } from './activity.ts';

export interface PgbenchResult {
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

export const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;

export async function pgbench(database: string, name: string, script: string, clients: number): Promise<PgbenchResult> {
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
