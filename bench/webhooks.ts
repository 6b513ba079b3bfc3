/**
 * @module Webhooks: signed inbound deliveries per second against plain authenticated creates in the
 * same run (goal ≥ 70 %), and outbound event → delivered latency to a local receiver.
 *
 *   bun bench/webhooks.ts      (BENCH_SECONDS=10, BENCH_ROUNDS=2, BENCH_OUT_RATE=25, BENCH_OUT_SECONDS=10)
 *
 * The Ticket Service runs as its own process on a scratch database (HOOKS_RATE_LIMIT out of the
 * way, WEBHOOKS_ALLOW_PRIVATE=1 for the local receiver) in a topic namespace of its own. 16
 * projects, each with a generic integration. Inbound: wrk (64 connections, 2 threads) alternates
 * windows of `POST /projects/:id/tickets` (bearer token) and `POST /hooks/:id` (Standard Webhooks,
 * pre-signed by the `standardwebhooks` package just before the window, each a new webhook-id, so
 * every request creates a ticket: checked against the accepted deliveries recorded). Outbound: one
 * project subscribes a local receiver to ticket.created; tickets are created at a steady rate and
 * each one's time from the create's answer to the receiver's verified arrival is recorded.
 */
import { newUser, startTestIdp } from '@syncro/testing';
import { freePorts } from '@syncro/testing/ports';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import postgres from 'postgres';
import { Webhook } from 'standardwebhooks';
import { KAFKA_BROKERS, LOAD, REDIS_URL, WRK_DONE_LUA, ensureWrk, log, machine, machineMarkdown, onCleanup, runBenchmark, runWrk, saveRaw, scratchDatabase, spawnChild, updateDoc, useBenchNamespace, workDir } from './lib.ts';
import { seedProjects } from './lib/creates/setup.ts';
import { createsLua } from './lib/creates/wrkScript.ts';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 2);
const OUT_RATE = Number(process.env.BENCH_OUT_RATE ?? 25);
const OUT_SECONDS = Number(process.env.BENCH_OUT_SECONDS ?? 10);
const PROJECTS = 16;
const GOAL = 0.7;

const percentile = (values: number[], p: number) => values.toSorted((a, b) => a - b)[Math.min(values.length - 1, Math.floor((p / 100) * values.length))] ?? NaN;

/** One file per wrk thread of pre-signed deliveries (integration, id, timestamp, signature, body per line). */
function presign(integrations: { id: string; secret: string }[], perThread: number, threads: number): string {
  const base = join(workDir, `deliveries-${crypto.randomUUID().slice(0, 8)}-`);
  const hooks = integrations.map((i) => ({ id: i.id, wh: new Webhook(i.secret) }));
  const at = new Date();
  const ts = String(Math.floor(at.getTime() / 1000));
  for (let t = 1; t <= threads; t++) {
    const lines: string[] = [];
    for (let n = 0; n < perThread; n++) {
      const h = hooks[(n + t) % hooks.length]!;
      const id = `msg_${t}_${n}_${crypto.randomUUID().slice(0, 8)}`;
      const body = JSON.stringify({ title: `Alert ${t}-${n}: p95 latency over budget`, priority: 'HIGH', labels: ['bench', `l${n % 7}`] });
      lines.push([h.id, id, ts, h.wh.sign(id, at, body), body].join('\t'));
    }
    writeFileSync(`${base}${t}`, lines.join('\n') + '\n');
  }
  return base;
}

const hooksLua = (base: string) => `
local n = 0
function setup(thread)
  n = n + 1
  thread:set("tid", n)
end
local reqs = {}
local i = 0
function init(args)
  for line in io.lines("${base}" .. tid) do
    local iid, id, ts, sig, body = line:match("([^\\t]*)\\t([^\\t]*)\\t([^\\t]*)\\t([^\\t]*)\\t(.*)")
    table.insert(reqs, wrk.format("POST", "/hooks/" .. iid, { ["content-type"] = "application/json", ["webhook-id"] = id, ["webhook-timestamp"] = ts, ["webhook-signature"] = sig }, body))
  end
end
function request()
  i = i + 1
  if i > #reqs then i = 1 end
  return reqs[i]
end
${WRK_DONE_LUA}`;

async function main() {
  await useBenchNamespace();
  ensureWrk();
  const m = await machine();
  log(`machine: ${m.nproc} cores, ${m.cpu}, load ${m.loadBefore}`);
  const idp = await startTestIdp();
  onCleanup('test IdP', () => idp.stop());
  const token = await idp.token(newUser('Bench Owner'), { expiresIn: '2h' });
  const auth = { authorization: `Bearer ${token}` };
  const headers = { ...auth, 'content-type': 'application/json' };
  const db = scratchDatabase();
  const [port] = freePorts(1);
  const svc = await spawnChild('tickets-webhooks', ['bun', '--no-warnings', 'services/tickets/src/main.ts'], {
    PORT: String(port), HOST: '127.0.0.1', DATABASE_URL: db.url, KAFKA_BROKERS, REDIS_URL, BOARD_CACHE: 'redis',
    JWKS_URL: idp.jwksUrl, AUTH_ISSUER: idp.issuer, AUTH_AUDIENCE: idp.audience, LOG_LEVEL: 'warn', NODE_ENV: 'production',
    HOOKS_RATE_LIMIT: '1000000000', WEBHOOKS_ALLOW_PRIVATE: '1', KAFKA_GROUP_ID: `tickets-bench-${crypto.randomUUID()}`,
  }, port!, async (url) => (await fetch(`${url}/health`)).status === 200);
  const projectIds = await seedProjects(svc.url, auth, PROJECTS);
  const integrations: { id: string; secret: string }[] = [];
  for (const id of projectIds) {
    const r = await fetch(`${svc.url}/projects/${id}/integrations`, { method: 'POST', headers, body: JSON.stringify({ kind: 'generic', name: 'bench' }) });
    if (r.status !== 201) throw new Error(`integration: ${r.status} ${await r.text()}`);
    integrations.push((await r.json()) as { id: string; secret: string });
  }
  const sql = postgres(db.url, { max: 1, onnotice: () => {} });
  onCleanup('bench sql', () => sql.end({ timeout: 5 }));
  const accepted = async () => Number((await sql`select count(*)::int as n from integration_deliveries where accepted`)[0]!.n);

  // ---------------------------------------------------------------------------- inbound --
  await runWrk({ url: svc.url, seconds: LOAD.warmupSeconds, script: createsLua(projectIds), headers });
  const plain: number[] = [];
  const hooks: number[] = [];
  const lines: string[] = [];
  for (let round = 1; round <= ROUNDS; round++) {
    const p = await runWrk({ url: svc.url, seconds: LOAD.seconds, script: createsLua(projectIds), headers });
    plain.push(p.rps);
    lines.push(`round ${round} plain POST /projects/:id/tickets: ${p.rps.toFixed(0)}/s p50 ${p.p50ms.toFixed(1)} ms p99 ${p.p99ms.toFixed(1)} ms non-2xx ${p.errors.status}`);
    // Enough for the window at twice the plain rate: none is sent twice (a replay would be cheaper).
    const perThread = Math.ceil((p.rps * LOAD.seconds * 2) / LOAD.threads) + 1000;
    const base = presign(integrations, perThread, LOAD.threads);
    const before = await accepted();
    const h = await runWrk({ url: svc.url, seconds: LOAD.seconds, script: hooksLua(base) });
    const made = (await accepted()) - before;
    hooks.push(h.rps);
    lines.push(`round ${round} signed POST /hooks/:id:           ${h.rps.toFixed(0)}/s p50 ${h.p50ms.toFixed(1)} ms p99 ${h.p99ms.toFixed(1)} ms non-2xx ${h.errors.status}; accepted deliveries +${made} of ${h.requests} requests`);
    if (h.errors.status > 0 || made < h.requests - LOAD.connections) throw new Error(`deliveries refused or replayed: ${lines.at(-1)}`);
    log(lines.at(-2)!);
    log(lines.at(-1)!);
  }
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  const ratio = mean(hooks) / mean(plain);

  // --------------------------------------------------------------------------- outbound --
  const arrivals = new Map<string, number>();
  let secret = '';
  const receiver = Bun.serve({
    port: 0,
    hostname: '127.0.0.1',
    async fetch(req) {
      const body = await req.text();
      const at = performance.now();
      new Webhook(secret).verify(body, Object.fromEntries(req.headers));
      const ticketId = (JSON.parse(body) as { data: { ticketId: string } }).data.ticketId;
      if (!arrivals.has(ticketId)) arrivals.set(ticketId, at);
      return new Response(null, { status: 204 });
    },
  });
  onCleanup('receiver', async () => void receiver.stop(true));
  const target = projectIds[0]!;
  const sub = await fetch(`${svc.url}/projects/${target}/webhooks`, { method: 'POST', headers, body: JSON.stringify({ url: `http://127.0.0.1:${receiver.port}/in`, events: ['ticket.created'] }) });
  secret = ((await sub.json()) as { secret: string }).secret;
  const create = async () => {
    const r = await fetch(`${svc.url}/projects/${target}/tickets`, { method: 'POST', headers, body: JSON.stringify({ title: 'outbound bench' }) });
    return { id: ((await r.json()) as { id: string }).id, at: performance.now() };
  };
  // The backlog of the inbound load drained: a probe ticket arrives first.
  const probe = await create();
  for (const deadline = Date.now() + 120_000; !arrivals.has(probe.id); await Bun.sleep(50)) if (Date.now() > deadline) throw new Error('probe never delivered');
  const sent: { id: string; at: number }[] = [];
  const interval = 1000 / OUT_RATE;
  const start = performance.now();
  for (let n = 0; n < OUT_RATE * OUT_SECONDS; n++) {
    const wait = start + n * interval - performance.now();
    if (wait > 0) await Bun.sleep(wait);
    void create().then((s) => sent.push(s));
  }
  for (const deadline = Date.now() + 60_000; sent.length < OUT_RATE * OUT_SECONDS || sent.some((s) => !arrivals.has(s.id)); await Bun.sleep(50)) {
    if (Date.now() > deadline) throw new Error('outbound deliveries missing');
  }
  const latencies = sent.map((s) => arrivals.get(s.id)! - s.at);
  const outLine = `outbound ticket.created → verified at the receiver, ${sent.length} tickets at ${OUT_RATE}/s: p50 ${percentile(latencies, 50).toFixed(1)} ms, p99 ${percentile(latencies, 99).toFixed(1)} ms, max ${Math.max(...latencies).toFixed(1)} ms`;
  log(outLine);

  const summary = [
    `# bench/webhooks.ts — ${m.date}`,
    `machine: ${m.nproc} cores, ${m.cpu}, ${m.memory}; Bun ${m.bun}, Postgres ${m.postgres}; load before ${m.loadBefore}`,
    `wrk ${LOAD.connections} connections, ${LOAD.threads} threads, ${LOAD.seconds} s windows, ${PROJECTS} projects`,
    ...lines,
    `mean: plain ${mean(plain).toFixed(0)}/s, signed deliveries ${mean(hooks).toFixed(0)}/s = ${(ratio * 100).toFixed(0)} % (goal ≥ ${GOAL * 100} %): ${ratio >= GOAL ? 'met' : 'NOT met'}`,
    outLine,
  ].join('\n');
  console.log(summary);
  saveRaw('webhooks.txt', summary);
  updateDoc(
    'webhooks',
    [
      '## Webhooks: signed inbound deliveries against plain creates; outbound latency (`bun bench/webhooks.ts`)',
      '',
      machineMarkdown(m),
      '',
      `wrk ${LOAD.connections} connections, ${LOAD.threads} threads, ${LOAD.seconds} s windows alternating plain \`POST /projects/:id/tickets\` and signed \`POST /hooks/:id\` (each a new webhook-id, so each creates a ticket), ${PROJECTS} projects; the Ticket Service as its own process.`,
      '',
      '```',
      ...lines,
      '```',
      '',
      `**Inbound: ${(ratio * 100).toFixed(0)} % of plain creates** (plain ${mean(plain).toFixed(0)}/s, signed ${mean(hooks).toFixed(0)}/s; goal ≥ ${GOAL * 100} %: ${ratio >= GOAL ? 'met' : 'NOT met'}).`,
      `**Outbound:** ${outLine.replace(/^outbound /, '')}.`,
    ].join('\n'),
  );
  await svc.stop();
}

await runBenchmark('webhooks', main);
