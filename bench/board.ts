/**
 * @module Board reads: the Ticket Service with the Redis board cache, the same service with the cache
 * off (every read is a Postgres snapshot), and a bare Bun server answering the same bytes from memory.
 *
 *   bun bench/board.ts
 *
 * One scratch database (dropped afterwards), one project of 200 tickets spread over the four
 * columns with mixed priorities and labels, five members. Each target gets wrk with 64 connections,
 * 2 threads, a 2 s warm-up and a 10 s measured run of GET /projects/:id/board with the same
 * Authorization header. Before each run a sample response is checked (status 200, X-Cache, the
 * exact bytes); after it, the service's own counters say how many boards were computed from
 * Postgres during the run (0 for the cached run means every answer was a HIT).
 */
import { newUser, startTestIdp } from '@syncro/testing';
import { freePorts } from '@syncro/testing/ports';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  LOAD,
  REDIS_URL,
  WRK_DONE_LUA,
  cpuGroupsFor,
  cpuMarkdown,
  cpuMeter,
  ensureWrk,
  fmt,
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
  spawnChild,
  startService,
  updateDoc,
  workDir,
  wrkFailures,
  type Child,
  type WrkResult, useBenchNamespace } from './lib.ts';

const TICKETS = 200;
const GOAL_VS_BARE = 0.4;
const GOAL_VS_UNCACHED = 5;

/** A small deterministic PRNG, so every run builds the same board (same size, same mix). */
function rng(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const PRIORITIES = ['LOW', 'MEDIUM', 'HIGH', 'URGENT'] as const;
const LABELS = ['backend', 'frontend', 'bug', 'feature', 'ux', 'infra', 'docs', 'security', 'perf', 'tech-debt'];
const WORDS = 'board sync ticket drag drop column cache redis kafka outbox relay login token avatar search filter label sprint release'.split(' ');

interface Target {
  name: string;
  child: Child;
  /** The service's label in the docs table. */
  label: string;
  expectCache?: 'HIT' | 'MISS';
}

interface Measured {
  target: Target;
  result: WrkResult;
  computations: number;
  serverCounted: number;
  cpu: ReturnType<ReturnType<typeof cpuMeter>['stop']>;
  sample: { status: number; cache: string | null; bytes: number; contentType: string | null };
}

async function main() {
  await useBenchNamespace(); // the service's events stay out of the running system's topics
  ensureWrk();
  const m = await machine();
  log(`machine: ${m.nproc} cores, ${m.cpu}, load ${m.loadBefore}`);

  const idp = await startTestIdp();
  onCleanup('test IdP', () => idp.stop());
  const owner = newUser('Bench Owner');
  const token = await idp.token(owner, { expiresIn: '2h' });
  const auth = { authorization: `Bearer ${token}` };
  const db = scratchDatabase();
  const serviceOpts = { databaseUrl: db.url, jwksUrl: idp.jwksUrl, issuer: idp.issuer, audience: idp.audience };

  // ----------------------------------------------------------------------- seed, cache on --
  const cached = await startService({ ...serviceOpts, name: 'tickets-cache-redis', boardCache: 'redis' });
  const api = async (method: string, path: string, body?: unknown) => {
    const r = await fetch(`${cached.url}${path}`, {
      method,
      headers: { ...auth, ...(body ? { 'content-type': 'application/json' } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    });
    const text = await r.text();
    if (r.status >= 300) throw new Error(`${method} ${path}: ${r.status} ${text}`);
    return text ? (JSON.parse(text) as Record<string, unknown>) : {};
  };
  const project = await api('POST', '/projects', { name: 'Board benchmark', key: 'BOARD' });
  const projectId = String(project.id);
  onCleanup('board cache keys', async () => {
    const redis = new Bun.RedisClient(REDIS_URL);
    await redis.del(`project:tickets:${projectId}`, `project:tickets:${projectId}:fence`);
    redis.close();
  });
  for (let i = 0; i < 4; i++) await api('POST', `/projects/${projectId}/members`, { userId: newUser(`Member ${i}`).id });

  const random = rng(42);
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(random() * xs.length)]!;
  const started = performance.now();
  const ids: string[] = [];
  for (let i = 0; i < TICKETS; i++) {
    const words = Array.from({ length: 3 + Math.floor(random() * 6) }, () => pick(WORDS)).join(' ');
    const labels = [...new Set(Array.from({ length: Math.floor(random() * 4) }, () => pick(LABELS)))];
    const t = await api('POST', `/projects/${projectId}/tickets`, { title: `${words} #${i + 1}`, priority: pick(PRIORITIES), labels });
    ids.push(String(t.id));
  }
  // Spread over the columns: 40 % OPEN, 25 % IN_PROGRESS, 15 % REVIEW, 20 % DONE.
  const path = ['IN_PROGRESS', 'REVIEW', 'DONE'] as const;
  for (const [i, id] of ids.entries()) {
    const r = random();
    const steps = r < 0.4 ? 0 : r < 0.65 ? 1 : r < 0.8 ? 2 : 3;
    if (steps === 0) continue;
    await api('PATCH', `/tickets/${id}`, { assigneeId: owner.id });
    for (const status of path.slice(0, steps)) await api('PATCH', `/tickets/${id}/status`, { status });
    if (i % 50 === 0) log(`seeding: ${i}/${ids.length} tickets moved`);
  }
  log(`seeded ${TICKETS} tickets in ${((performance.now() - started) / 1000).toFixed(1)} s`);

  const boardPath = `/projects/${projectId}/board`;
  const sample = async (child: Child) => {
    const r = await fetch(`${child.url}${boardPath}`, { headers: auth });
    const bytes = new Uint8Array(await r.arrayBuffer());
    return { status: r.status, cache: r.headers.get('x-cache'), contentType: r.headers.get('content-type'), bytes };
  };
  const first = await sample(cached);
  const second = await sample(cached);
  if (first.status !== 200 || second.status !== 200) throw new Error(`board answered ${first.status}/${second.status}`);
  if (second.cache !== 'HIT') throw new Error(`second read of the board was X-Cache: ${second.cache}, expected HIT`);
  const body = second.bytes;
  const contentType = second.contentType ?? 'application/json';
  const board = JSON.parse(new TextDecoder().decode(body)) as { version: number; columns: Record<string, unknown[]> };
  const columns = Object.entries(board.columns)
    .map(([k, v]) => `${k} ${v.length}`)
    .join(', ');
  log(`board: ${body.length} bytes, version ${board.version}, ${columns}; first read ${first.cache}, second ${second.cache}`);
  const bodyFile = join(workDir, 'board.json');
  writeFileSync(bodyFile, body);

  // ------------------------------------------------------------------------------- runs --
  const script = WRK_DONE_LUA;
  const measure = async (target: Target): Promise<Measured> => {
    const s = await sample(target.child);
    if (s.status !== 200) throw new Error(`${target.name}: sample answered ${s.status}`);
    if (target.expectCache && s.cache !== target.expectCache) {
      throw new Error(`${target.name}: sample answered X-Cache: ${s.cache}, expected ${target.expectCache}`);
    }
    if (!Buffer.from(s.bytes).equals(Buffer.from(body))) throw new Error(`${target.name}: sample body differs from the cached board`);
    if (s.contentType !== contentType) throw new Error(`${target.name}: content-type ${s.contentType}, expected ${contentType}`);
    const url = `${target.child.url}${boardPath}`;
    log(`${target.name}: warm-up ${LOAD.warmupSeconds} s`);
    await runWrk({ url, seconds: LOAD.warmupSeconds, script, headers: auth });
    const isService = target.expectCache !== undefined;
    const before = isService ? await scrape(target.child.url) : new Map<string, number>();
    const meter = cpuMeter(cpuGroupsFor(() => [target.child.pid]));
    log(`${target.name}: ${LOAD.seconds} s, ${LOAD.connections} connections, ${LOAD.threads} threads`);
    meter.start();
    const result = await runWrk({ url, seconds: LOAD.seconds, script, headers: auth });
    const cpu = meter.stop({ wrk: result.cpuSeconds });
    const after = isService ? await scrape(target.child.url) : new Map<string, number>();
    const delta = (name: string, labels: Record<string, string> = {}) => metricSum(after, name, labels) - metricSum(before, name, labels);
    const computations = delta('board_computations_total');
    const serverCounted = delta('http_requests_total', { route: '/projects/:id/board', status: '200' });
    log(
      `${target.name}: ${fmt.rps(result.rps)} req/s, p50 ${fmt.ms(result.p50ms)} ms, p99 ${fmt.ms(result.p99ms)} ms, ` +
        `non-2xx ${result.errors.status}, socket errors ${wrkFailures(result) - result.errors.status}` +
        (isService ? `, boards computed ${computations}, server-counted 200s ${serverCounted}` : '') +
        `; CPU: ${cpuMarkdown(cpu)}`,
    );
    return { target, result, computations, serverCounted, cpu, sample: { status: s.status, cache: s.cache, bytes: s.bytes.length, contentType: s.contentType } };
  };

  const results: Measured[] = [];
  results.push(await measure({ name: 'cached', label: 'Ticket Service, `BOARD_CACHE=redis`', child: cached, expectCache: 'HIT' }));
  await cached.stop();

  const uncached = await startService({ ...serviceOpts, name: 'tickets-cache-off', boardCache: 'off' });
  results.push(await measure({ name: 'uncached', label: 'Ticket Service, `BOARD_CACHE=off`', child: uncached, expectCache: 'MISS' }));
  await uncached.stop();

  const [barePort] = freePorts(1);
  const bare = await spawnChild('bare-server', ['bun', 'bench/bare-server.ts', String(barePort), bodyFile, contentType], {}, barePort!, async (url) => {
    return (await fetch(url)).status === 200;
  });
  results.push(await measure({ name: 'bare', label: 'bare `Bun.serve`, same bytes from memory', child: bare }));
  await bare.stop();

  // The cached read taken apart (bench/layers-server.ts): informational, not part of the goals.
  const layers: Measured[] = [];
  const layerLabels = {
    string: 'bare `Bun.serve`, the board as a JS string',
    redis: 'bare `Bun.serve` that waits for a shared Redis read before answering bytes from memory',
    framework: 'kit `serve()` (Elysia + httpKit) + auth guard + params schema, board string from memory',
  } as const;
  for (const layer of ['string', 'redis', 'framework'] as const) {
    const [port] = freePorts(1);
    const args = [String(port), bodyFile, `project:tickets:${projectId}`, owner.id, idp.jwksUrl, idp.issuer, idp.audience];
    const child = await spawnChild(`layer-${layer}`, ['bun', 'bench/layers-server.ts', layer, ...args], { LOG_LEVEL: 'warn' }, port!, async (url) => {
      return (await fetch(`${url}${boardPath}`, { headers: auth })).status === 200;
    });
    layers.push(await measure({ name: `layer ${layer}`, label: layerLabels[layer], child }));
    await child.stop();
  }

  // ---------------------------------------------------------------------------- verdict --
  const by = (name: string) => results.find((r) => r.target.name === name)!;
  const [c, u, b] = [by('cached'), by('uncached'), by('bare')];
  const failures = results.filter((r) => wrkFailures(r.result) > 0);
  const vsBare = c.result.rps / b.result.rps;
  const vsUncached = c.result.rps / u.result.rps;
  const passBare = vsBare >= GOAL_VS_BARE;
  const passUncached = vsUncached >= GOAL_VS_UNCACHED;
  const allHit = c.computations === 0;
  const usPerAnswer = (r: Measured) => ((r.cpu.cores.server ?? 0) * 1e6) / r.result.rps;

  console.log(`\nBoard reads (${TICKETS} tickets, ${fmt.bytes(body.length)} per answer; ${LOAD.connections} connections, ${LOAD.threads} threads, ${LOAD.seconds} s)`);
  for (const r of [...results, ...layers]) {
    console.log(
      `  ${r.target.name.padEnd(16)} ${fmt.rps(r.result.rps).padStart(8)} req/s  p50 ${fmt.ms(r.result.p50ms).padStart(6)} ms  ` +
        `p99 ${fmt.ms(r.result.p99ms).padStart(6)} ms  failures ${wrkFailures(r.result)}  server CPU ${usPerAnswer(r).toFixed(0)} µs/answer`,
    );
  }
  console.log(`  cached/bare     ${fmt.pct(vsBare)} (goal ≥ ${fmt.pct(GOAL_VS_BARE)}): ${passBare ? 'PASS' : 'MISS'}`);
  console.log(`  cached/uncached ${fmt.x(vsUncached)} (goal ≥ ${GOAL_VS_UNCACHED}×): ${passUncached ? 'PASS' : 'MISS'}`);
  console.log(`  cached run all HIT: ${allHit ? 'yes' : `no (${c.computations} boards computed)`}; failed requests: ${failures.length ? failures.map((f) => f.target.name).join(', ') : 'none'}`);

  const layer = (name: string) => layers.find((l) => l.target.name === `layer ${name}`)!;
  const us = (r: Measured) => usPerAnswer(r);
  const parts = [
    { what: 'bare server, bytes from memory', us: us(b) },
    { what: 'UTF-8 encoding of the string body (layer string − bare)', us: us(layer('string')) - us(b) },
    { what: 'Elysia + HTTP kit + auth guard (remembered token) + params schema (layer framework − layer string)', us: us(layer('framework')) - us(layer('string')) },
  ];
  parts.push({
    what: 'the rest of the service: in-memory board lookup, membership check, background fence reads (cached − the parts above)',
    us: us(c) - parts.reduce((a, p) => a + p.us, 0),
  });
  const partsTable = parts.map((p) => `| ${p.what} | ${p.us.toFixed(0)} | ${fmt.pct(p.us / us(c))} |`).join('\n');
  const row = (r: Measured) =>
    `| ${r.target.label} | ${fmt.rps(r.result.rps)} | ${fmt.ms(r.result.p50ms)} | ${fmt.ms(r.result.p99ms)} | ${fmt.ms(r.result.maxms)} | ${r.result.requests.toLocaleString('en-US')} | ${wrkFailures(r.result)} |`;
  const cpuRow = (r: Measured) => `| ${r.target.name} | ${usPerAnswer(r).toFixed(0)} | ${cpuMarkdown(r.cpu)} |`;
  const doc = `
## Board reads (\`bun bench/board.ts\`)

GET \`/projects/:id/board\` of one project with ${TICKETS} tickets (${columns}; ${fmt.bytes(body.length)} of JSON per
answer, five members), ${LOAD.connections} connections, ${LOAD.threads} wrk threads, ${LOAD.seconds} s measured after a ${LOAD.warmupSeconds} s warm-up, the same
\`Authorization: Bearer …\` header on every target. Run of ${m.date}.

| target | req/s | p50 ms | p99 ms | max ms | requests | non-2xx + socket errors |
|---|---:|---:|---:|---:|---:|---:|
${results.map(row).join('\n')}

| goal | measured | verdict |
|---|---:|---|
| cached ≥ ${fmt.pct(GOAL_VS_BARE)} of bare | ${fmt.pct(vsBare)} | **${passBare ? 'PASS' : 'MISS'}** |
| cached ≥ ${GOAL_VS_UNCACHED}× uncached | ${fmt.x(vsUncached)} | **${passUncached ? 'PASS' : 'MISS'}** |

Checks: before each run a sample answer was 200 with the same bytes and \`content-type: ${contentType}\`
(cached: \`X-Cache: ${c.sample.cache}\`, uncached: \`X-Cache: ${u.sample.cache}\`). During the cached run the
service computed ${c.computations} boards from Postgres (${allHit ? 'every answer was a HIT' : 'so some answers were MISSes'}) and counted
${c.serverCounted.toLocaleString('en-US')} answers 200; during the uncached run it computed ${u.computations.toLocaleString('en-US')} boards for
${u.serverCounted.toLocaleString('en-US')} answers (with the cache off nothing is shared: one snapshot per answer).

### Where the time goes

The server under test is one Bun process: its JavaScript runs on one thread, so its throughput is
about one core divided by its CPU time per request. CPU during each measured window, in cores
(2 in all), and the server's CPU per answer:

| run | server CPU µs per answer | CPU by process |
|---|---:|---|
${[...results, ...layers].map(cpuRow).join('\n')}

The cached read taken apart (\`bench/layers-server.ts\`, same load, same bytes; informational):

| layer | req/s | p50 ms | p99 ms | max ms | requests | non-2xx + socket errors |
|---|---:|---:|---:|---:|---:|---:|
${[b, ...layers, c].map(row).join('\n')}

The cached service's ${us(c).toFixed(0)} µs of server CPU per answer, split by the layers above (differences between
single runs, so read them as ±10 µs):

| part | µs per answer | share |
|---|---:|---:|
${partsTable}

Reading the numbers:

- **cached vs bare**: the server is one JavaScript thread, so its ceiling is about 10⁶ / (µs per answer)
  answers per second. A HIT costs ${us(c).toFixed(0)} µs of server CPU against ${us(b).toFixed(0)} µs for the bare server; Elysia, the
  HTTP kit, the auth guard and the params schema are ${(us(layer('framework')) - us(layer('string'))).toFixed(0)} µs of it. A HIT answers from the process's
  memory without waiting: the copy is served while a read of the Redis fence that began at most
  50 ms ago vouched for it, and the next fence read runs in the background (\`boardCache.ts\`). Waiting
  for a Redis read on every answer instead, even one shared by all waiting requests, costs
  ${us(layer('redis')).toFixed(0)} µs per answer on a bare server (layer redis): Bun answers a request that waited on I/O far
  more expensively than one it answers at once. In the bare run wrk itself used
  ${(b.cpu.cores.wrk ?? 0).toFixed(2)} cores of the 2, so the bare number is the machine's ceiling, not Bun's.
- **cached vs uncached**: uncached (\`BOARD_CACHE=off\`) builds every answer from its own Postgres snapshot
  (${u.computations.toLocaleString('en-US')} computations for ${u.serverCounted.toLocaleString('en-US')} answers): ${us(u).toFixed(0)} µs of server CPU per answer, most of it
  turning 200 rows into JSON.

<details><summary>Machine</summary>

${machineMarkdown(m)}

</details>
`;
  updateDoc('board', doc);
  saveRaw(
    'board.txt',
    [`bun bench/board.ts — ${m.date}`, ...[...results, ...layers].map((r) => `\n== ${r.target.name} (${r.target.label})\n${r.result.raw}`)].join('\n'),
  );
}

await runBenchmark('board', main);
