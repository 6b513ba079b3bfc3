/**
 * Issue 14 § 2, "any combination works": the database, the bus and the cache each run embedded or
 * on the machine's server, independently. All embedded (embedded.test.ts), all external
 * (binary.test.ts) and external Postgres + the bus in it + the in-process cache
 * (embedded.plan.test.ts) are covered beside this file; here are the other five, each from
 * startAll to a ticket assigned through its bus and seen live on a socket through its pub/sub.
 */
import { afterAll, describe, expect, test } from 'bun:test';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { serve, serviceContext } from '@syncro/kit/service';
import { client, createTestDatabase, eventually } from '@syncro/testing';
import { freePort } from '@syncro/testing/ports';
import { startAll } from './index.ts';

type Part = 'embedded' | 'external';
const COMBOS: { database: Part; bus: Part; cache: Part }[] = [
  { database: 'embedded', bus: 'external', cache: 'embedded' },
  { database: 'embedded', bus: 'embedded', cache: 'external' },
  { database: 'embedded', bus: 'external', cache: 'external' },
  { database: 'external', bus: 'external', cache: 'embedded' },
  { database: 'external', bus: 'embedded', cache: 'external' },
];

/** Of the combination running now: one at a time, so each has the machine to itself. */
let cleanups: (() => Promise<void> | void)[] = [];
async function cleanUp() {
  for (const c of cleanups.toReversed()) await c();
  cleanups = [];
}
afterAll(cleanUp, 60_000);

async function environmentFor(combo: (typeof COMBOS)[number], dir: string): Promise<Record<string, string>> {
  const env: Record<string, string> = {
    PORT: String(freePort()),
    AUTH_KEY_DIR: join(dir, 'keys'),
    AUTH_DEV_LOGIN: '1',
    SYNCROBOARD_DATA: join(dir, 'data'),
    LOG_LEVEL: 'warn',
  };
  if (combo.database === 'external') {
    for (const role of ['AUTH', 'TICKETS', 'ASSIGNMENT', 'NOTIFICATIONS']) {
      const db = await createTestDatabase(`combo_${role.toLowerCase()}`);
      cleanups.push(() => db.drop());
      env[`${role}_DATABASE_URL`] = db.url;
    }
    if (combo.bus === 'embedded') {
      const bus = await createTestDatabase('combo_bus');
      cleanups.push(() => bus.drop());
      env.BUS_DATABASE_URL = bus.url;
    }
  }
  if (combo.bus === 'external') {
    Object.assign(env, {
      KAFKA_BROKERS: process.env.KAFKA_BROKERS ?? '127.0.0.1:9092',
      // The run's topic namespace (the preload's) and groups of its own from the topics' end.
      KAFKA_TOPIC_PREFIX: process.env.KAFKA_TOPIC_PREFIX ?? '',
      KAFKA_OFFSET_RESET: 'latest',
    });
    for (const role of ['TICKETS', 'ASSIGNMENT', 'NOTIFICATIONS', 'REALTIME']) env[`${role}_KAFKA_GROUP_ID`] = `combo-${role.toLowerCase()}-${crypto.randomUUID()}`;
  }
  if (combo.cache === 'external') env.REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
  return env;
}

describe('each part embedded or external, in every combination', () => {
  for (const combo of COMBOS) {
    test(`database ${combo.database}, bus ${combo.bus}, cache ${combo.cache}: a ticket is assigned and seen live`, async () => {
      await cleanUp(); // the previous combination's, also when it failed
      const dir = mkdtempSync(join(tmpdir(), 'syncro-combo-'));
      chmodSync(dir, 0o755); // as root the embedded server runs as `postgres`, which must reach its folder
      cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
      const ctx = serviceContext('combo-test');
      const { config, services, embedded } = await startAll(ctx, await environmentFor(combo, dir));
      const served = serve('combo', config.PORT, services, ctx);
      cleanups.push(() => served.stop());
      // What runs embedded is what the combination says, no more.
      expect(embedded.parts).toEqual({ database: combo.database === 'embedded', bus: combo.bus === 'embedded', cache: combo.cache === 'embedded' });

      // Every consumer has joined (the Kafka groups start at the topics' end): nothing published after is missed.
      await eventually('ready', async () => ((await fetch(`${served.url}/health`).then((r) => r.json())) as { status?: string }).status === 'ok', 30_000);
      const login = await client(served.url).post('/auth/dev/login', { email: `combo-${crypto.randomUUID().slice(0, 8)}@example.test` });
      const api = client(served.url, login.body.accessToken);
      const key = 'COMBO'; // each combination has databases of its own
      expect((await api.post('/projects', { name: 'Combination', key })).status).toBe(201);
      const frames: { event: string; data: any }[] = [];
      const ws = new WebSocket(`${served.url.replace('http', 'ws')}/ws`, { headers: { authorization: `Bearer ${login.body.accessToken}` } } as never);
      ws.onmessage = (m) => frames.push(JSON.parse(String(m.data)));
      await new Promise((resolve, reject) => ((ws.onopen = resolve), (ws.onerror = reject)));
      ws.send(JSON.stringify({ event: 'joinProject', data: { key } }));
      await eventually('joined', () => frames.some((f) => f.event === 'joined'), 10_000);
      expect((await api.post(`/projects/${key}/tickets`, { title: 'combination' })).status).toBe(201);
      await eventually('assigned', async () => (await api.get(`/tickets/${key}-1`)).body.assigneeId === login.body.user.id, 20_000);
      await eventually('ticketAssigned live', () => frames.some((f) => f.event === 'ticketAssigned'), 10_000);
      ws.close();
      await cleanUp();
    }, 90_000);
  }
});
