/**
 * The self-hosting path end to end against the machine's servers: the `syncroboard` binary
 * (scripts/compile.ts) migrates its databases from the migrations it carries and serves the API on
 * the real Postgres, Redis and Kafka (each variable moves its part out of the embedded default).
 * The owner signs in with the printed setup link: the binary has no development login.
 */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ACCESS_COOKIE } from '@syncro/kit/auth';
import { client, createTestDatabase } from '@syncro/testing';
import { freePort } from '@syncro/testing/ports';
import { compiledBinary, disposeCompiledBinary, startBinary, type Started } from '../test/binary.ts';

let dir: string;
let database: Awaited<ReturnType<typeof createTestDatabase>>;
let authDatabase: Awaited<ReturnType<typeof createTestDatabase>>;
let assignDatabase: Awaited<ReturnType<typeof createTestDatabase>>;
let notifyDatabase: Awaited<ReturnType<typeof createTestDatabase>>;
let running: Started | undefined;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'syncro-binary-'));
  database = await createTestDatabase('binary_test');
  authDatabase = await createTestDatabase('binary_auth_test');
  assignDatabase = await createTestDatabase('binary_assign_test');
  notifyDatabase = await createTestDatabase('binary_notify_test');
});
afterAll(async () => {
  await running?.stop();
  await database.drop();
  await authDatabase.drop();
  await assignDatabase.drop();
  await notifyDatabase.drop();
  rmSync(dir, { recursive: true, force: true });
  disposeCompiledBinary();
});

describe('single binary', () => {
  test('compiles, starts in a folder without the sources, signs a user in, serves tickets, assigns them and streams the board live', async () => {
    const outfile = await compiledBinary();
    const port = freePort();
    running = await startBinary(
      outfile,
      ['--data', join(dir, 'data')],
      {
        PATH: process.env.PATH!,
        PORT: String(port),
        TICKETS_DATABASE_URL: database.url,
        AUTH_DATABASE_URL: authDatabase.url,
        AUTH_KEY_DIR: join(dir, 'keys'),
        // Ignored by the binary (the test below finds /auth/dev/login absent).
        AUTH_DEV_LOGIN: '1',
        ASSIGNMENT_DATABASE_URL: assignDatabase.url,
        NOTIFICATIONS_DATABASE_URL: notifyDatabase.url,
        NOTIFICATIONS_KAFKA_GROUP_ID: `binary-notifications-${crypto.randomUUID()}`,
        // Its own groups from the topics' end: the shared broker holds other tests' events.
        TICKETS_KAFKA_GROUP_ID: `binary-tickets-${crypto.randomUUID()}`,
        ASSIGNMENT_KAFKA_GROUP_ID: `binary-assignment-${crypto.randomUUID()}`,
        REALTIME_KAFKA_GROUP_ID: `binary-realtime-${crypto.randomUUID()}`,
        KAFKA_OFFSET_RESET: 'latest',
        // The test run's topic namespace (see the preload), not the running system's topics.
        KAFKA_TOPIC_PREFIX: process.env.KAFKA_TOPIC_PREFIX ?? '',
        KAFKA_BROKERS: process.env.KAFKA_BROKERS ?? '127.0.0.1:9092',
        REDIS_URL: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
        LOG_LEVEL: 'warn',
      },
      dir, // nothing of the repo around it: migrations and the board must come from inside the binary
    );
    // Nothing runs embedded: every part was configured.
    expect(running.output()).not.toContain('embedded');
    const base = `http://127.0.0.1:${port}`;
    // `ok` (not just 200) once every role's consumer has joined its group: nothing is missed after.
    let health: { status?: string; checks?: Record<string, string> } | undefined;
    for (let i = 0; i < 300 && health?.status !== 'ok'; i++) {
      await Bun.sleep(100);
      health = await fetch(`${base}/health`).then((r) => r.json() as Promise<typeof health>, () => undefined);
    }
    expect(health?.status).toBe('ok');
    expect(Object.keys(health!.checks!)).toEqual(expect.arrayContaining(['assignment.consumer', 'notifications.consumer', 'realtime.redis']));

    // No development login in the binary; the owner signs in with the one-time setup link.
    expect((await client(base).post('/auth/dev/login', { email: 'binary@example.test', name: 'Binary' })).status).toBe(404);
    const setup = await fetch(running.setupLink!, { redirect: 'manual' });
    expect(setup.status).toBe(303);
    const accessToken = setup.headers.getSetCookie().map((c) => c.split(';')[0]!).find((c) => c.startsWith(`${ACCESS_COOKIE}=`))!.slice(ACCESS_COOKIE.length + 1);
    const me = (await client(base, accessToken).get('/auth/me')).body;
    const login = { body: { accessToken, user: { id: (me.user?.id ?? me.id) as string } } };
    expect((await client(base).get('/.well-known/jwks.json')).body.keys).toHaveLength(1);
    const api = client(base, login.body.accessToken);
    // The board was built into the binary.
    expect(await (await fetch(`${base}/p/BOX`)).text()).toContain('<!doctype html>');
    const project = await api.post('/projects', { name: 'Boxed', key: 'BOX' });
    expect(project.status).toBe(201);
    expect((await api.post('/projects/BOX/tickets', { title: 'from the binary' })).body.code).toBe('BOX-1');
    const board = await api.get('/projects/BOX/board');
    expect(board.body.columns.OPEN[0].title).toBe('from the binary');

    // The whole loop inside one process: the assignment role assigns the only member.
    let ticket: { assigneeId: string | null } | undefined;
    for (let i = 0; i < 100 && !ticket?.assigneeId; i++) {
      await Bun.sleep(100);
      ticket = (await api.get('/tickets/BOX-1')).body;
    }
    expect(ticket?.assigneeId).toBe(login.body.user.id);

    // The realtime hub in the same process: a socket on the same port joins the board and sees the
    // next ticket arrive (outbox → Kafka → bridge → Redis → room → socket).
    const frames: { event: string; data: any }[] = [];
    const ws = new WebSocket(`ws://127.0.0.1:${port}/ws`, { headers: { authorization: `Bearer ${login.body.accessToken}` } } as never);
    ws.onmessage = (m) => frames.push(JSON.parse(String(m.data)));
    await new Promise((resolve, reject) => ((ws.onopen = resolve), (ws.onerror = reject)));
    ws.send(JSON.stringify({ event: 'joinProject', data: { key: 'BOX' } }));
    for (let i = 0; i < 100 && !frames.some((f) => f.event === 'joined'); i++) await Bun.sleep(50);
    const joined = frames.find((f) => f.event === 'joined');
    expect(joined?.data.projectId).toBe(project.body.id);
    expect((await api.post('/projects/BOX/tickets', { title: 'live' })).status).toBe(201);
    for (let i = 0; i < 200 && !frames.some((f) => f.event === 'ticketCreated'); i++) await Bun.sleep(50);
    const created = frames.find((f) => f.event === 'ticketCreated');
    expect(created?.data.version).toBeGreaterThan(joined!.data.version);
    ws.close();

    // The notification role heard of the assignment: the assignee assigned themself, so no message
    // for that, but the welcome of a new user lands in their in-app feed.
    let feed: { items?: { kind: string }[] } | undefined;
    for (let i = 0; i < 100 && !feed?.items?.length; i++) {
      await Bun.sleep(100);
      feed = (await api.get('/notifications')).body;
    }
    expect(feed?.items?.map((n) => n.kind)).toContain('welcome');
  }, 120_000);
});
