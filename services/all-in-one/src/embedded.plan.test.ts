/**
 * Each variable moves one part out of the embedded default, decided from the raw environment; the
 * in-process cache is refused when the roles that share it are split; and one mixed combination
 * runs for real: the machine's Postgres with the bus in it and the in-process cache (no Kafka, no
 * Redis), from startAll to a ticket assigned through the Postgres bus and seen on a socket.
 */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { serve, serviceContext, type Served } from '@syncro/kit/service';
import { client, createTestDatabase, eventually } from '@syncro/testing';
import { freePort } from '@syncro/testing/ports';
import { embeddedPlan } from './embedded.ts';
import { postgresServer, ROLES, startAll } from './index.ts';

const all = new Set(ROLES);
const DBS = ['auth', 'tickets', 'assignment', 'notifications'];

describe('embeddedPlan', () => {
  test('nothing configured: everything embedded; each variable moves its own part only', () => {
    expect(embeddedPlan({}, all, DBS)).toEqual({ database: true, bus: true, cache: true });
    expect(embeddedPlan({ POSTGRES_URL: 'postgres://x' }, all, DBS)).toEqual({ database: false, bus: true, cache: true });
    expect(embeddedPlan({ DATABASE_URL: 'postgres://x' }, all, DBS)).toEqual({ database: false, bus: true, cache: true });
    expect(embeddedPlan({ TICKETS_DATABASE_URL: 'postgres://x' }, all, DBS)).toEqual({ database: false, bus: true, cache: true });
    expect(embeddedPlan({ KAFKA_BROKERS: 'k:9092' }, all, DBS)).toEqual({ database: true, bus: false, cache: true });
    expect(embeddedPlan({ REDIS_URL: 'redis://r' }, all, DBS)).toEqual({ database: true, bus: true, cache: false });
    expect(embeddedPlan({ UPSTASH_REDIS_REST_URL: 'https://u' }, all, DBS)).toEqual({ database: true, bus: true, cache: false });
    // DATABASE_URL names the server when POSTGRES_URL does not (each role's database is put on it).
    expect(postgresServer({ DATABASE_URL: 'postgres://db:5432/x' })).toBe('postgres://db:5432/x');
    expect(postgresServer({ POSTGRES_URL: 'postgres://pg:5432', DATABASE_URL: 'postgres://db:5432/x' })).toBe('postgres://pg:5432');
    expect(postgresServer({}, 'postgres://embedded')).toBe('postgres://embedded');
    // Empty is unset, as loadConfig reads it.
    expect(embeddedPlan({ KAFKA_BROKERS: '' }, all, DBS).bus).toBe(true);
  });

  test('the in-process cache is refused when tickets, realtime and notifications are split, unless REDIS_URL joins them', () => {
    expect(() => embeddedPlan({}, new Set(['auth', 'tickets']), ['auth', 'tickets'])).toThrow(/REDIS_URL is needed when tickets run without realtime, notifications/);
    expect(embeddedPlan({ REDIS_URL: 'redis://r' }, new Set(['tickets']), ['tickets']).cache).toBe(false);
    // Roles that use no cache run alone on the embedded default, with no cache.
    expect(embeddedPlan({}, new Set(['auth', 'assignment']), ['auth', 'assignment'])).toEqual({ database: true, bus: true, cache: false });
  });

  test('a part no wanted role needs is not started: a hub or the board alone has no database, the board alone no bus nor cache', () => {
    const servers = { KAFKA_BROKERS: 'k:9092', REDIS_URL: 'redis://r' };
    // compose.yaml's realtime-1 and web instances: no Postgres at all.
    expect(embeddedPlan(servers, new Set(['realtime']), [])).toEqual({ database: false, bus: false, cache: false });
    expect(embeddedPlan({}, new Set(['web']), [])).toEqual({ database: false, bus: false, cache: false });
    // A hub without Kafka still needs the bus, and its database, somewhere.
    expect(embeddedPlan({ REDIS_URL: 'redis://r' }, new Set(['realtime']), [])).toEqual({ database: true, bus: true, cache: false });
    expect(embeddedPlan({ REDIS_URL: 'redis://r', BUS_DATABASE_URL: 'postgres://b/bus' }, new Set(['realtime']), [])).toEqual({ database: false, bus: true, cache: false });
  });
});

describe('machine Postgres + bus in it + in-process cache', () => {
  let served: Served;
  const dbs: Awaited<ReturnType<typeof createTestDatabase>>[] = [];
  const keyDir = mkdtempSync(join(tmpdir(), 'syncro-mixed-'));
  beforeAll(async () => {
    for (const name of ['mixed_auth', 'mixed_tickets', 'mixed_assign', 'mixed_notify', 'mixed_bus']) dbs.push(await createTestDatabase(name));
    const ctx = serviceContext('mixed-test');
    const { config, services, embedded } = await startAll(ctx, {
      // A real port: the hub calls the Ticket Service at this process's own address.
      PORT: String(freePort()),
      AUTH_DATABASE_URL: dbs[0]!.url,
      TICKETS_DATABASE_URL: dbs[1]!.url,
      ASSIGNMENT_DATABASE_URL: dbs[2]!.url,
      NOTIFICATIONS_DATABASE_URL: dbs[3]!.url,
      BUS_DATABASE_URL: dbs[4]!.url,
      AUTH_KEY_DIR: keyDir,
      AUTH_DEV_LOGIN: '1',
      SYNCROBOARD_DATA: join(keyDir, 'data'),
    });
    expect(embedded.parts).toEqual({ database: false, bus: true, cache: true });
    served = serve('mixed', config.PORT, services, ctx);
  }, 60_000);
  afterAll(async () => {
    await served?.stop();
    for (const d of dbs) await d.drop();
    rmSync(keyDir, { recursive: true, force: true });
  }, 30_000);

  test('a ticket is assigned through the Postgres bus and seen live through the in-process pub/sub', async () => {
    const login = await client(served.url).post('/auth/dev/login', { email: 'mixed@example.test' });
    const api = client(served.url, login.body.accessToken);
    expect((await api.post('/projects', { name: 'Mixed', key: 'MIX' })).status).toBe(201);
    const frames: { event: string; data: any }[] = [];
    const ws = new WebSocket(`${served.url.replace('http', 'ws')}/ws`, { headers: { authorization: `Bearer ${login.body.accessToken}` } } as never);
    ws.onmessage = (m) => frames.push(JSON.parse(String(m.data)));
    await new Promise((resolve, reject) => ((ws.onopen = resolve), (ws.onerror = reject)));
    ws.send(JSON.stringify({ event: 'joinProject', data: { key: 'MIX' } }));
    await eventually('joined', () => frames.some((f) => f.event === 'joined'), 10_000);
    expect((await api.post('/projects/MIX/tickets', { title: 'mixed' })).status).toBe(201);
    await eventually('assigned', async () => (await api.get('/tickets/MIX-1')).body.assigneeId === login.body.user.id, 15_000);
    await eventually('ticketAssigned live', () => frames.some((f) => f.event === 'ticketAssigned'), 10_000);
    ws.close();
    // The bus's log is in the given database.
    const sql = (await import('postgres')).default(dbs[4]!.url, { max: 1 });
    const tables = await sql`select tablename from pg_tables where schemaname = 'public'`;
    await sql.end();
    expect(tables.length).toBeGreaterThan(0);
  }, 60_000);
});
