/**
 * The self-hosting path end to end: `bun build --compile` makes one binary, which migrates its
 * database from the migrations it carries and serves the API against the real Postgres, Redis and Kafka.
 */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { client, createTestDatabase } from '@syncro/testing';
import { freePort } from '@syncro/testing/ports';

let dir: string;
let database: Awaited<ReturnType<typeof createTestDatabase>>;
let authDatabase: Awaited<ReturnType<typeof createTestDatabase>>;
let proc: ReturnType<typeof Bun.spawn> | undefined;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'syncro-binary-'));
  database = await createTestDatabase('binary_test');
  authDatabase = await createTestDatabase('binary_auth_test');
});
afterAll(async () => {
  proc?.kill();
  await proc?.exited;
  await database.drop();
  await authDatabase.drop();
  rmSync(dir, { recursive: true, force: true });
});

describe('single binary', () => {
  test('compiles, starts in a folder without the sources, signs a user in and serves tickets', async () => {
    const outfile = join(dir, 'syncroboard');
    const build = Bun.spawn(['bun', 'build', '--compile', new URL('./main.ts', import.meta.url).pathname, '--outfile', outfile], {
      stdout: 'pipe',
      stderr: 'pipe',
    });
    const [code, err] = await Promise.all([build.exited, new Response(build.stderr).text()]);
    expect(err).not.toContain('error:');
    expect(code).toBe(0);

    const port = freePort();
    proc = Bun.spawn([outfile], {
      cwd: dir, // nothing of the repo around it: migrations must come from inside the binary
      env: {
        PATH: process.env.PATH!,
        PORT: String(port),
        TICKETS_DATABASE_URL: database.url,
        AUTH_DATABASE_URL: authDatabase.url,
        AUTH_KEY_DIR: join(dir, 'keys'),
        AUTH_DEV_LOGIN: '1',
        KAFKA_BROKERS: process.env.KAFKA_BROKERS ?? '127.0.0.1:9092',
        REDIS_URL: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
        LOG_LEVEL: 'warn',
      },
      stdout: 'ignore',
      stderr: 'pipe',
    });
    const base = `http://127.0.0.1:${port}`;
    let health: Response | undefined;
    for (let i = 0; i < 100 && health?.status !== 200; i++) {
      await Bun.sleep(100);
      health = await fetch(`${base}/health`).catch(() => undefined);
    }
    expect(health?.status).toBe(200);

    // The binary's own Auth Service signs the user in; its Ticket Service trusts that token.
    const login = await client(base).post('/auth/dev/login', { email: 'binary@example.test', name: 'Binary' });
    expect(login.status).toBe(200);
    expect((await client(base).get('/.well-known/jwks.json')).body.keys).toHaveLength(1);
    const api = client(base, login.body.accessToken);
    const project = await api.post('/projects', { name: 'Boxed', key: 'BOX' });
    expect(project.status).toBe(201);
    expect((await api.post('/projects/BOX/tickets', { title: 'from the binary' })).body.code).toBe('BOX-1');
    const board = await api.get('/projects/BOX/board');
    expect(board.body.columns.OPEN[0].title).toBe('from the binary');
  }, 120_000);
});
