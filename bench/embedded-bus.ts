/**
 * @module The Postgres bus (on the embedded Postgres and on the machine's) next to Kafka in the
 * same run: publish rate in relay-sized batches, and the time from `publish` to the handler for a
 * message published alone (the board's live path).
 *
 *   bun bench/embedded-bus.ts
 */
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import postgres from 'postgres';
import { createKafkaBus, createPgBus, brokersFromEnv, type EventBus } from '../shared/kit/src/bus/index.ts';
import { startEmbeddedPostgres } from '../shared/kit/src/db/embedded-postgres.ts';
import { createLogger } from '../shared/kit/src/log/index.ts';
import { cleanup } from './lib/cleanup.ts';
import { useBenchNamespace } from './lib/namespace.ts';

const logger = createLogger({ bench: 'embedded-bus' });
const TOPIC = 'user.created';
const BATCHES = 100;
const BATCH = 20;
const SINGLES = 200;

async function measure(name: string, bus: EventBus) {
  const sent = new Map<string, number>();
  const latencies: number[] = [];
  let received = 0;
  const sub = await bus.subscribe({
    groupId: `bench-${crypto.randomUUID()}`,
    topics: [TOPIC],
    fromNow: true,
    handle: async (m) => {
      received++;
      const at = sent.get(m.value!);
      if (at !== undefined) latencies.push(performance.now() - at);
    },
  });
  await Bun.sleep(1500); // joined
  const keys = Array.from({ length: 32 }, () => crypto.randomUUID());
  let t = performance.now();
  for (let b = 0; b < BATCHES; b++) {
    await bus.publish(Array.from({ length: BATCH }, (_, i) => ({ topic: TOPIC, key: keys[(b + i) % keys.length]!, value: `batch-${b}-${i}`, headers: {} })));
  }
  const publishPerSec = Math.round((BATCHES * BATCH) / ((performance.now() - t) / 1000));
  const until = Date.now() + 60_000;
  while (received < BATCHES * BATCH && Date.now() < until) await Bun.sleep(20);
  const drainedPerSec = Math.round(received / ((performance.now() - t) / 1000));
  for (let i = 0; i < SINGLES; i++) {
    const value = `single-${i}`;
    sent.set(value, performance.now());
    await bus.publish([{ topic: TOPIC, key: keys[i % keys.length]!, value, headers: {} }]);
    const wait = Date.now() + 5000;
    while (latencies.length <= i && Date.now() < wait) await Bun.sleep(0);
  }
  await sub.stop();
  await bus.close();
  latencies.sort((a, b) => a - b);
  const pct = (p: number) => +(latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))] ?? NaN).toFixed(1);
  return { bus: name, publishPerSec, drainedPerSec, latencyMs: { p50: pct(50), p99: pct(99), n: latencies.length } };
}

// Every bus of this run (Postgres ones too) under the bench's own topic namespace.
await useBenchNamespace();
const home = mkdtempSync(join(tmpdir(), 'bench-bus-'));
chmodSync(home, 0o755);
const embedded = await startEmbeddedPostgres({ dataDir: join(home, 'data') });
const machineUrl = `postgres://postgres@127.0.0.1:5432/bench_bus_${Date.now()}`;
const admin = postgres('postgres://postgres@127.0.0.1:5432/postgres', { max: 1, onnotice: () => {} });
await admin.unsafe(`create database "${new URL(machineUrl).pathname.slice(1)}"`);
try {
  console.log(JSON.stringify(await measure('pg (embedded)', createPgBus({ url: embedded.url, logger }))));
  console.log(JSON.stringify(await measure('pg (machine)', createPgBus({ url: machineUrl, logger }))));
  console.log(JSON.stringify(await measure('kafka (machine)', createKafkaBus({ brokers: brokersFromEnv(), clientId: 'bench-bus', logger }))));
} finally {
  await embedded.stop();
  await admin.unsafe(`drop database if exists "${new URL(machineUrl).pathname.slice(1)}" with (force)`);
  await admin.end();
  rmSync(home, { recursive: true, force: true });
  await cleanup();
}
process.exit(0);
