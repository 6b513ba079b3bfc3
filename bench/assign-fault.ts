/**
 * @module One project's partition blocked, the others unaffected: the assignment loop's create →
 * assignee latency for the other projects with and without a message that keeps failing.
 *
 *   bun bench/assign-fault.ts      (BENCH_FAULT_SECONDS=15, BENCH_FAULT_RATE=20)
 *
 * The Ticket and Assignment Services run as their own processes (`main.ts`, default settings but
 * CONSUMER_MAX_ATTEMPTS=1000000, so the failing message is never dead-lettered during the run) in
 * a topic namespace of their own (KAFKA_TOPIC_PREFIX), on scratch databases. Projects are created
 * until one ("blocked") has a partition of its own among those used, with 4 other projects of 4
 * members on the other partitions. The load (POST → assignee visible for those 4, a steady rate)
 * runs in alternating windows, without and with the fault, BENCH_FAULT_ROUNDS times each, so that
 * the machine's own noise falls on both alike. The fault: a trigger in the Assignment Service's
 * database refuses the blocked project's tickets, and a ticket is created there: its
 * `ticket.created` fails on every try (an error that is no outage, so it is retried with backoff)
 * until the trigger is dropped at the window's end. Goal: p99 with the fault within 10 % of without.
 *
 * First, the consumer alone (the kit's runner in this process, no services): publish → handled for
 * messages of other partitions while one partition keeps failing, and without: the mechanism
 * without the eight other hops of the loop and their noise on a shared machine.
 */
import { EventHeader } from '@syncro/contracts';
import { createKafkaBus, deleteTopics, ensureTopics, readTopicDefinitions, runConsumer, withTopicPrefix } from '@syncro/kit/bus';
import { createLogger } from '@syncro/kit/log';
import { newUser, startTestIdp } from '@syncro/testing';
import { freePorts } from '@syncro/testing/ports';
import { Partitioners } from 'kafkajs';
import postgres from 'postgres';
import { KAFKA_BROKERS, REDIS_URL, fmt, log, machine, machineMarkdown, metricSum, onCleanup, runBenchmark, saveRaw, scrape, scratchDatabase, spawnChild, updateDoc } from './lib.ts';

const SECONDS = Number(process.env.BENCH_FAULT_SECONDS ?? 18);
const ROUNDS = Number(process.env.BENCH_FAULT_ROUNDS ?? 6);
const RATE = Number(process.env.BENCH_FAULT_RATE ?? 20);
const POLL_MS = 5;
const GOAL_RATIO = 1.1;
const brokers = KAFKA_BROKERS.split(',');

const percentile = (values: number[], p: number) => {
  const sorted = values.toSorted((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
};

// The producers' partitioner (murmur2 of the key): which keys share a partition.
const partitioner = Partitioners.DefaultPartitioner();
const partitionOfIn = (partitions: number) => {
  const partitionMetadata = Array.from({ length: partitions }, (_, partitionId) => ({ partitionId, leader: 0, partitionErrorCode: 0, replicas: [0], isr: [0] }));
  return (key: string) => partitioner({ topic: 'any', partitionMetadata, message: { key, value: null } });
};

/** The runner alone: publish → handled of messages on the other partitions, with one partition failing on every try or not. */
async function runnerAlone(prefix: string, partitions: number) {
  const logger = createLogger({ bench: 'assign-fault' });
  const bus = createKafkaBus({ brokers, clientId: 'bench-fault-runner', logger, topicPrefix: prefix });
  const partitionOf = partitionOfIn(partitions);
  const blockedKey = Bun.randomUUIDv7();
  let failing = false;
  const sent = new Map<string, number>();
  const latencies: number[] = [];
  const sub = await runConsumer({
    bus,
    logger,
    groupId: `bench-fault-runner-${crypto.randomUUID()}`,
    fromNow: true,
    maxAttempts: 1_000_000,
    handlers: {
      'user.created': async (e) => {
        if (e.userId === blockedKey && failing) throw new Error('keeps failing');
        const at = sent.get(e.eventId);
        if (at !== undefined) latencies.push(performance.now() - at);
      },
    },
  });
  const message = (key: string) => {
    const e = { userId: key, email: 'bench@example.test', name: 'bench', locale: 'en', eventId: Bun.randomUUIDv7(), timestamp: new Date().toISOString() };
    sent.set(e.eventId, performance.now());
    return { topic: 'user.created', key, value: JSON.stringify(e), headers: { [EventHeader.type]: 'user.created', [EventHeader.id]: e.eventId } };
  };
  const window = async () => {
    latencies.length = 0;
    for (let i = 0; i < RATE * 5; i++) {
      let key: string;
      do key = Bun.randomUUIDv7();
      while (partitionOf(key) === partitionOf(blockedKey));
      await bus.publish([message(key)]);
      await Bun.sleep(1000 / RATE);
    }
    await Bun.sleep(500);
    return [...latencies];
  };
  await Bun.sleep(3000); // the group joined
  const result = { clean: [] as number[], faulty: [] as number[] };
  for (let r = 0; r < 2; r++) {
    result.clean.push(...(await window()));
    failing = true;
    await bus.publish([message(blockedKey)]);
    result.faulty.push(...(await window()));
    failing = false;
    await Bun.sleep(3500); // the stuck message's next retry succeeds
  }
  await sub.stop();
  await bus.close();
  return result;
}

async function main() {
  const m = await machine();
  const run = crypto.randomUUID().slice(0, 8);
  const prefix = `bench.${run}.`;
  const defs = withTopicPrefix(readTopicDefinitions(), prefix);
  await ensureTopics(brokers, defs);
  onCleanup('bench topics', async () => void (await deleteTopics(brokers, defs.map((d) => d.name))));
  const partitions = defs.find((d) => d.name === `${prefix}ticket.created`)!.partitions;

  log('the runner alone: 2 × 5 s without and with a failing partition');
  const alone = await runnerAlone(prefix, partitions);
  const aloneRatio = percentile(alone.faulty, 99) / percentile(alone.clean, 99);
  log(`runner alone: p99 ${fmt.ms(percentile(alone.clean, 99))} ms without, ${fmt.ms(percentile(alone.faulty, 99))} ms with (×${aloneRatio.toFixed(2)})`);

  const idp = await startTestIdp();
  onCleanup('test IdP', () => idp.stop());
  const common = { JWKS_URL: idp.jwksUrl, AUTH_ISSUER: idp.issuer, AUTH_AUDIENCE: idp.audience, KAFKA_BROKERS, KAFKA_TOPIC_PREFIX: prefix, KAFKA_OFFSET_RESET: 'latest' };
  const spawn = async (name: 'tickets' | 'assignment', env: Record<string, string>) => {
    const [port] = freePorts(1);
    const child = await spawnChild(
      `${name}-fault`,
      ['bun', '--no-warnings', `services/${name}/src/main.ts`],
      { ...common, ...env, PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: process.env.BENCH_LOG_LEVEL ?? 'warn', NODE_ENV: 'production' },
      port!,
      async (url) => ((await (await fetch(`${url}/health`)).json()) as { status: string }).status === 'ok',
    );
    log(`${name}: pid ${child.pid} on ${child.url} (log ${child.logFile})`);
    return child;
  };
  const tickets = await spawn('tickets', { DATABASE_URL: scratchDatabase().url, REDIS_URL, KAFKA_GROUP_ID: `fault-tickets-${run}` });
  const assignDb = scratchDatabase();
  const assignment = await spawn('assignment', { DATABASE_URL: assignDb.url, KAFKA_GROUP_ID: `fault-assignment-${run}`, CONSUMER_MAX_ATTEMPTS: '1000000' });

  const owner = newUser('Bench owner');
  const headers = { 'content-type': 'application/json', authorization: `Bearer ${await idp.token(owner, { expiresIn: '2h' })}` };
  const call = async (base: string, method: string, path: string, body?: unknown) => {
    const res = await fetch(base + path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    const json = (await res.json().catch(() => null)) as any;
    if (res.status >= 400) throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(json)}`);
    return json;
  };

  // Projects are keyed by their id.
  const partitionOf = partitionOfIn(partitions);
  let blocked: { id: string; key: string; partition: number } | null = null;
  const measured: string[] = [];
  for (let n = 0; measured.length < 4 || !blocked; n++) {
    if (n > 100) throw new Error('could not spread projects over the partitions');
    const key = `BF${run.slice(0, 4).toUpperCase().replace(/[^A-Z0-9]/g, 'X')}${n}`;
    const project = await call(tickets.url, 'POST', '/projects', { name: `bench ${key}`, key });
    const p = partitionOf(project.id);
    if (!blocked) blocked = { id: project.id, key, partition: p };
    // Spread over every other partition, as evenly as 4 allows.
    else if (p !== blocked.partition && measured.filter((id) => partitionOf(id) === p).length < Math.ceil(4 / (partitions - 1))) {
      for (let i = 0; i < 3; i++) await call(tickets.url, 'POST', `/projects/${project.id}/members`, { userId: newUser(`m${i}`).id });
      measured.push(project.id);
    }
  }
  for (const id of measured) {
    for (let i = 0; ; i++) {
      const w = await call(assignment.url, 'GET', `/assignment/projects/${id}/workload`).catch(() => null);
      if (w?.members?.length === 4) break;
      if (i > 400) throw new Error('the Assignment Service did not learn the projects');
      await Bun.sleep(25);
    }
  }
  log(`blocked project on partition ${blocked.partition}; measured projects on ${[...new Set(measured.map(partitionOf))].join(', ')}`);

  let seq = 0;
  const createAndWatch = async () => {
    const i = seq++;
    const sentAt = Date.now();
    const ticket = await call(tickets.url, 'POST', `/projects/${measured[i % measured.length]}/tickets`, { title: `bench ${i}`, priority: (['LOW', 'MEDIUM', 'HIGH', 'URGENT'] as const)[i % 4] });
    for (;;) {
      const t = await call(tickets.url, 'GET', `/tickets/${ticket.id}`);
      if (t.assigneeId) return Date.now() - sentAt;
      if (Date.now() - sentAt > 30_000) throw new Error(`ticket ${ticket.id} not assigned within 30 s`);
      await Bun.sleep(POLL_MS);
    }
  };
  const windowS = SECONDS / ROUNDS;
  const window = async (label: string) => {
    const total = Math.round(windowS * RATE);
    log(`${label}: ${total} creates at ${RATE}/s (open loop)`);
    const start = Date.now() + 100;
    return Promise.all(
      Array.from({ length: total }, async (_, i) => {
        await Bun.sleep(Math.max(0, start + i * (1000 / RATE) - Date.now()));
        return createAndWatch();
      }),
    );
  };

  const adb = postgres(assignDb.url, { max: 1, onnotice: () => {} });
  onCleanup('bench connection', () => adb.end({ timeout: 5 }));
  const retries = async () => metricSum(await scrape(assignment.url), 'consumer_retries_total', { topic: 'ticket.created' });
  const stuckSeconds = async () => metricSum(await scrape(assignment.url), 'consumer_stuck_seconds');
  /** The fault on: the blocked project's tickets are refused by the database until `off()`; one is on its way. */
  const faultOn = async () => {
    await adb.unsafe(`create or replace function bench_refuse() returns trigger language plpgsql as $$
      begin raise exception 'bench: this project''s tickets are refused'; end $$`);
    await adb.unsafe(`create trigger bench_refuse before insert on tickets for each row when (new.project_id = '${blocked!.id}') execute function bench_refuse()`);
    const before = await retries();
    const ticket = await call(tickets.url, 'POST', `/projects/${blocked!.id}/tickets`, { title: 'keeps failing' });
    for (let i = 0; (await retries()) < before + 2; i++) {
      if (i > 200) throw new Error('the blocked ticket does not fail: the fault was not set up');
      await Bun.sleep(25);
    }
    return async () => {
      await adb.unsafe('drop trigger bench_refuse on tickets');
      // The stuck message is applied at its next retry; the next window starts without it.
      for (let i = 0; !(await call(assignment.url, 'GET', `/assignment/tickets/${ticket.id}/decisions`).catch(() => null))?.decisions?.length; i++) {
        if (i > 400) throw new Error('the blocked ticket was not assigned after the fault');
        await Bun.sleep(25);
      }
    };
  };

  log(`warm-up: ${RATE} tickets`);
  await Promise.all(Array.from({ length: RATE }, (_, i) => Bun.sleep(i * (1000 / RATE)).then(createAndWatch)));
  const clean: number[] = [];
  const faulty: number[] = [];
  let retriesDuring = 0;
  let stuckAtEnd = 0;
  for (let r = 1; r <= ROUNDS; r++) {
    clean.push(...(await window(`round ${r}/${ROUNDS}, no fault`)));
    const off = await faultOn();
    const r0 = await retries();
    faulty.push(...(await window(`round ${r}/${ROUNDS}, the blocked project's partition stuck`)));
    retriesDuring += (await retries()) - r0;
    stuckAtEnd = Math.min(stuckAtEnd || Infinity, await stuckSeconds());
    await off();
  }
  const dead = metricSum(await scrape(assignment.url), 'consumer_dead_letters_total');
  if (retriesDuring < ROUNDS || stuckAtEnd < windowS / 2 || dead > 0) throw new Error(`the fault did not hold through its windows (retries ${retriesDuring}, stuck ${stuckAtEnd} s, dead letters ${dead})`);
  const stuckS = stuckAtEnd;

  const row = (name: string, v: number[]) => `| ${name} | ${v.length} | ${fmt.ms(percentile(v, 50))} | ${fmt.ms(percentile(v, 99))} | ${fmt.ms(Math.max(...v))} |`;
  const p99Clean = percentile(clean, 99);
  const p99Faulty = percentile(faulty, 99);
  const ratio = p99Faulty / p99Clean;
  const met = ratio <= GOAL_RATIO;
  log(`p99 without the fault ${fmt.ms(p99Clean)} ms, with it ${fmt.ms(p99Faulty)} ms: ×${ratio.toFixed(2)} (goal ≤ ×${GOAL_RATIO}: ${met ? 'met' : 'missed'})`);
  const table = ['| phase | tickets | p50 ms | p99 ms | max ms |', '|---|---:|---:|---:|---:|', row('no fault', clean), row('one partition blocked', faulty)].join('\n');
  const aloneTable = ['| phase | messages | p50 ms | p99 ms | max ms |', '|---|---:|---:|---:|---:|', row('no fault', alone.clean), row('one partition failing', alone.faulty)].join('\n');
  updateDoc(
    'assign-fault',
    `## One partition blocked: the other projects' create → assignee (\`bench/assign-fault.ts\`)

${SECONDS * RATE} tickets with and as many without the fault, at ${RATE}/s (open loop), in ${ROUNDS} alternating windows of
${windowS} s each, over 4 projects of 4 members whose partitions differ from a fifth project's. During each
fault window a ticket of that fifth project is refused by the Assignment Service's database on every try (a
trigger), so its \`ticket.created\` partition is stuck (retried ${retriesDuring} times in all, stuck for
${fmt.ms(stuckS * 1000)} ms at the end of the shortest window, never dead-lettered: \`CONSUMER_MAX_ATTEMPTS=1000000\`);
between windows the trigger goes and that ticket is assigned.

**Goal: p99 with the fault within 10 % of the p99 without it: ${met ? 'met' : 'missed'}** (×${ratio.toFixed(2)}).

${table}

The consumer alone (the kit's runner in the bench process, no services; publish → handled at ${RATE}/s for
messages of the other partitions, 2 windows of 5 s each way): p99 ×${aloneRatio.toFixed(2)}.

${aloneTable}

The failing message pauses only its own partition (kafkajs \`pause()\`, its position left on the message) and
is retried with capped backoff; the other partitions are fetched and handled meanwhile
(\`CONSUMER_PARTITION_CONCURRENCY\`, default 8).

${machineMarkdown({ ...m, wrk: 'bench/assign-fault.ts itself (fetch, open loop)' })}`,
  );
  saveRaw('assign-fault.txt', [`p99 clean ${p99Clean} faulty ${p99Faulty} ratio ${ratio}`, table, '', aloneTable, '', 'clean', clean.join(' '), 'faulty', faulty.join(' ')].join('\n'));
  await tickets.stop();
  await assignment.stop();
}

await runBenchmark('assign-fault', main);
