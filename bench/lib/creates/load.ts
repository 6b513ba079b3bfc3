/**
 * @module The measured phase of the creates benchmark: a drained warm-up, then wrk while `/metrics`
 * and pg_stat_activity are sampled every 500 ms, then the relay's drain timed every 100 ms.
 */
import postgres from 'postgres';
import { onCleanup } from '../cleanup.ts';
import { LOAD, log } from '../env.ts';
import { fmt } from '../docs.ts';
import { cpuGroupsFor, cpuMarkdown, cpuMeter } from '../machine.ts';
import { metricSum, scrape } from '../processes.ts';
import { runWrk, wrkFailures, type WrkResult } from '../wrk.ts';
import { activityMarkdown, activitySampler, type Activity } from './activity.ts';

export const DRAIN_TIMEOUT_MS = 120_000;

export interface Sample {
  t: number;
  backlog: number;
  lag: number;
  published: number;
}

export interface LoadResult {
  result: WrkResult;
  cpu: ReturnType<ReturnType<typeof cpuMeter>['stop']>;
  samples: Sample[];
  /** Samples taken while wrk ran. */
  during: Sample[];
  atEnd: Sample;
  drainedAfterS: number;
  maxBacklog: number;
  maxLag: number;
  ticketsCreated: number;
  server201: number;
  published: number;
  sessions: Activity;
}

export interface LoadTarget {
  serviceUrl: string;
  servicePid: number;
  databaseUrl: string;
  databaseName: string;
  script: string;
  headers: Record<string, string>;
  projects: number;
}

export async function measureCreates(target: LoadTarget): Promise<LoadResult> {
  const { serviceUrl, script, headers } = target;
  const url = `${serviceUrl}/`;
  const sql = postgres(target.databaseUrl, { max: 2, onnotice: () => {} });
  onCleanup('bench connection', () => sql.end({ timeout: 5 }));
  const countTickets = async () => Number((await sql`select count(*)::int as n from tickets`)[0]?.n ?? 0);
  const backlogNow = async () => Number((await sql`select count(*)::int as n from outbox where published_at is null`)[0]?.n ?? 0);

  log(`warm-up ${LOAD.warmupSeconds} s`);
  await runWrk({ url, seconds: LOAD.warmupSeconds, script, headers });
  const drainUntil = Date.now() + DRAIN_TIMEOUT_MS;
  while ((await backlogNow()) > 0 && Date.now() < drainUntil) await Bun.sleep(100);

  const before = await scrape(serviceUrl);
  const ticketsBefore = await countTickets();
  const activity = activitySampler(sql, target.databaseName);
  const samples: Sample[] = [];
  const t0 = performance.now();
  let loadRunning = true;
  const takeSample = async () => {
    const mm = await scrape(serviceUrl);
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
  const meter = cpuMeter(cpuGroupsFor(() => [target.servicePid]));
  log(`creates: ${LOAD.seconds} s, ${LOAD.connections} connections, ${LOAD.threads} threads, ${target.projects} projects`);
  meter.start();
  const result = await runWrk({ url, seconds: LOAD.seconds, script, headers });
  const cpu = meter.stop({ wrk: result.cpuSeconds });
  const loadEnded = performance.now();
  loadRunning = false;
  await sampler;
  await takeSample();
  const atEnd = samples.at(-1)!;
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
  const after = await scrape(serviceUrl);
  const delta = (name: string, labels: Record<string, string> = {}) => metricSum(after, name, labels) - metricSum(before, name, labels);
  const r: LoadResult = {
    result,
    cpu,
    samples,
    during: samples.filter((s) => s.t <= (loadEnded - t0) / 1000),
    atEnd,
    drainedAfterS,
    maxBacklog: Math.max(...samples.map((s) => s.backlog)),
    maxLag: Math.max(...samples.map((s) => s.lag)),
    ticketsCreated: (await countTickets()) - ticketsBefore,
    server201: delta('http_requests_total', { route: '/projects/:id/tickets', status: '201' }),
    published: delta('outbox_published_total'),
    sessions: activity.summary(),
  };
  log(
    `creates: ${fmt.rps(result.rps)}/s, p50 ${fmt.ms(result.p50ms)} ms, p99 ${fmt.ms(result.p99ms)} ms, non-2xx ${result.errors.status}, ` +
      `socket errors ${wrkFailures(result) - result.errors.status}; tickets in the database +${r.ticketsCreated}, server-counted 201s ${r.server201}`,
  );
  log(`relay: backlog max ${r.maxBacklog} (end of load ${atEnd.backlog}), lag max ${r.maxLag.toFixed(3)} s (end of load ${atEnd.lag.toFixed(3)} s), drained ${drainedAfterS.toFixed(2)} s after the load, published ${r.published}`);
  log(`CPU: ${cpuMarkdown(cpu)}`);
  log(`sessions: ${activityMarkdown(r.sessions)}`);
  return r;
}
