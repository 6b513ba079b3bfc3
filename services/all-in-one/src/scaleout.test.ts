/**
 * compose.yaml's scale-out topology without Docker: the role instances of compose.yaml as separate
 * all-in-one processes on the machine's Postgres, Kafka and Redis, and the real Caddy running
 * deploy/Caddyfile in front (test/scaleout.ts). Through the proxy's one origin: the board's page,
 * the setup link, a project and a ticket; two sockets that land on the two hubs (each hub's own
 * /metrics counts one socket and one room) and both see the ticket arrive live; one hub stopped,
 * its client reconnects through the proxy to the other and resumes what it missed.
 */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ACCESS_COOKIE } from '@syncro/kit/auth';
import { client, createTestDatabase, eventually } from '@syncro/testing';
import { startScaleOut, type ScaleOut } from '../test/scaleout.ts';

const ROLE_DATABASES = ['auth', 'tickets', 'assignment', 'notifications'];
let dir: string;
let databases: Awaited<ReturnType<typeof createTestDatabase>>[] = [];
let board: ScaleOut | undefined;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'syncro-scaleout-'));
  databases = await Promise.all(ROLE_DATABASES.map((r) => createTestDatabase(`scaleout_${r}_test`)));
});
afterAll(async () => {
  await board?.stop();
  await Promise.all(databases.map((d) => d.drop()));
  rmSync(dir, { recursive: true, force: true });
}, 30_000);

/** A gauge of one instance's own /metrics (not through the proxy, which does not serve them). */
async function gauge(url: string, name: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  return Number(text.match(new RegExp(`^${name}(?:\\{[^}]*\\})? (\\S+)$`, 'm'))?.[1] ?? NaN);
}

function socket(origin: string, token: string) {
  const frames: { event: string; data: any }[] = [];
  const ws = new WebSocket(`${origin.replace('http', 'ws')}/ws`, { headers: { cookie: `${ACCESS_COOKIE}=${token}` } } as never);
  const s = { ws, frames, closed: null as number | null, open: new Promise((resolve, reject) => ((ws.onopen = resolve), (ws.onerror = reject))) };
  ws.onmessage = (m) => frames.push(JSON.parse(String(m.data)));
  ws.onclose = (e) => (s.closed = e.code);
  return s;
}
/** The highest project version a socket has seen (what a client resumes from). */
const seen = (s: ReturnType<typeof socket>) => Math.max(...s.frames.map((f) => Number(f.data?.version ?? 0)));

describe('scale-out behind the proxy', () => {
  test('role instances + Caddy: page, setup link, project, ticket; two sockets on two hubs both see it live; one hub down, its client resumes on the other', async () => {
    const t0 = performance.now();
    const groups = `scaleout-${crypto.randomUUID().slice(0, 8)}`;
    board = await startScaleOut(dir, {
      ...Object.fromEntries(ROLE_DATABASES.map((r, i) => [`${r.toUpperCase()}_DATABASE_URL`, databases[i]!.url])),
      // The server of POSTGRES_URL holds nothing of ours (every role's database is named above); set, it keeps Postgres external everywhere.
      POSTGRES_URL: process.env.PG_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres',
      KAFKA_BROKERS: process.env.KAFKA_BROKERS ?? '127.0.0.1:9092',
      // The run's topic namespace (see the preload); groups of our own, read from the end.
      KAFKA_TOPIC_PREFIX: process.env.KAFKA_TOPIC_PREFIX ?? '',
      KAFKA_OFFSET_RESET: 'latest',
      TICKETS_KAFKA_GROUP_ID: `${groups}-tickets`,
      ASSIGNMENT_KAFKA_GROUP_ID: `${groups}-assignment`,
      NOTIFICATIONS_KAFKA_GROUP_ID: `${groups}-notifications`,
      // Both hubs in one bridge group, as in compose: each event is bridged to Redis once.
      REALTIME_KAFKA_GROUP_ID: `${groups}-realtime`,
      REDIS_URL: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
      LOG_LEVEL: 'warn',
    });
    const { origin, instances } = board;
    const hubs = instances.filter((i) => i.roles.includes('realtime'));
    expect(instances.map((i) => i.name).sort()).toEqual(['auth', 'notifications', 'realtime-1', 'realtime-2', 'tickets', 'web']);
    expect(hubs).toHaveLength(2);
    // Every instance up, consumers in their groups (`ok`), nothing embedded anywhere.
    // (60 s: the two hubs join one bridge group in turn, and other tests load this machine's 2 cores.)
    await Promise.all(
      instances.map((i) => eventually(`${i.name} healthy`, async () => ((await fetch(`${i.url}/health`).then((r) => r.json(), () => ({}))) as { status?: string }).status === 'ok', 60_000)),
    );
    for (const i of instances) expect(i.started.output().match(/^.*ready at.*$/m)![0]).not.toContain('embedded');
    const startedMs = performance.now() - t0;

    // The page and its assets come from the web instance, through the proxy.
    const page = await fetch(`${origin}/p/SCALE`);
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('<!doctype html>');
    const asset = html.match(/(?:src|href)="(\/assets\/[^"]+)"/)?.[1];
    expect(asset).toBeTruthy();
    expect((await fetch(`${origin}${asset}`)).status).toBe(200);
    // The instances' operational routes are not the origin's.
    expect((await fetch(`${origin}/metrics`)).status).toBe(404);

    // The setup link names the proxy's origin; following it there signs the owner in.
    expect(board.setupLink).toStartWith(`${origin}/auth/setup/`);
    const setup = await fetch(board.setupLink, { redirect: 'manual' });
    expect(setup.status).toBe(303);
    expect(setup.headers.get('location')).toBe(`${origin}/`);
    const token = setup.headers.getSetCookie().map((c) => c.split(';')[0]!).find((c) => c.startsWith(`${ACCESS_COOKIE}=`))!.slice(ACCESS_COOKIE.length + 1);
    const api = client(origin, token);
    const me = (await api.get('/auth/me')).body;
    const ownerId: string = me.user?.id ?? me.id;
    expect(ownerId).toBeTruthy();

    const project = await api.post('/projects', { name: 'Scaled out', key: 'SCALE' });
    expect(project.status).toBe(201);
    expect((await api.post('/projects/SCALE/tickets', { title: 'first' })).body.code).toBe('SCALE-1');

    // Two browsers' sockets through the proxy (cookie, same origin): the proxy sends them to different hubs.
    const a = socket(origin, token);
    await a.open;
    const b = socket(origin, token);
    await b.open;
    await eventually('one socket on each hub', async () => (await Promise.all(hubs.map((h) => gauge(h.url, 'realtime_sockets')))).every((n) => n === 1), 5_000);
    for (const s of [a, b]) s.ws.send(JSON.stringify({ event: 'joinProject', data: { projectId: project.body.id } }));
    await eventually('both joined', () => [a, b].every((s) => s.frames.some((f) => f.event === 'joined')), 10_000);
    // The project's room now lives on both hubs.
    expect(await Promise.all(hubs.map((h) => gauge(h.url, 'realtime_rooms')))).toEqual([1, 1]);

    // A ticket created through the proxy (tickets instance) reaches both hubs (Kafka → bridge → Redis).
    const created = await api.post('/projects/SCALE/tickets', { title: 'seen on both hubs' });
    expect(created.body.code).toBe('SCALE-2');
    const live = (s: typeof a) => s.frames.find((f) => f.event === 'ticketCreated' && f.data.code === 'SCALE-2');
    await eventually('ticketCreated on both sockets', () => Boolean(live(a) && live(b)), 15_000);
    expect(live(a)!.data.version).toBe(live(b)!.data.version);
    // The assignment role (beside tickets) assigns the only member; both hubs carry that too.
    await eventually('ticketAssigned on both sockets', () => [a, b].every((s) => s.frames.some((f) => f.event === 'ticketAssigned' && f.data.assigneeId === ownerId)), 15_000);
    // The notifications instance, through the proxy: the owner's welcome is in their feed.
    await eventually('welcome in the feed', async () => ((await api.get('/notifications')).body.items ?? []).some((n: { kind: string }) => n.kind === 'welcome'), 15_000);

    // realtime-1 goes away: its socket is closed, the other keeps streaming; the client reconnects
    // through the proxy, lands on realtime-2 and resumes from the version it had seen.
    await hubs[0]!.started.stop();
    await eventually('a socket closed by the stopped hub', () => [a, b].some((s) => s.closed !== null), 10_000);
    const [gone, kept] = a.closed !== null ? [a, b] : [b, a];
    expect(kept.closed).toBeNull();
    const since = seen(gone);
    expect((await api.post('/projects/SCALE/tickets', { title: 'while one hub is down' })).body.code).toBe('SCALE-3');
    const created3 = (s: typeof a) => s.frames.find((f) => f.event === 'ticketCreated' && f.data.code === 'SCALE-3');
    await eventually('SCALE-3 live on the remaining hub', () => created3(kept), 15_000);
    const again = socket(origin, token);
    await again.open;
    again.ws.send(JSON.stringify({ event: 'joinProject', data: { projectId: project.body.id, sinceVersion: since } }));
    await eventually('resumed on the other hub', () => again.frames.find((f) => f.event === 'joined'), 10_000);
    expect(again.frames.find((f) => f.event === 'joined')!.data.resumed).toBe(true);
    await eventually('the missed ticket replayed', () => created3(again), 10_000);
    expect(created3(again)!.data.version).toBe(created3(kept)!.data.version);
    expect(await gauge(hubs[1]!.url, 'realtime_sockets')).toBe(2);
    kept.ws.close();
    again.ws.close();
    const readyMs = Math.max(...instances.map((i) => i.started.readyMs));
    console.log(`[scaleout] ${instances.length} instances printed ready within ${Math.round(readyMs)} ms, all healthy (consumers in their groups) at ${Math.round(startedMs)} ms; whole test ${Math.round(performance.now() - t0)} ms`);
  }, 240_000);
});
