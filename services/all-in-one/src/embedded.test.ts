/**
 * The zero-configuration path end to end: the compiled binary in an empty folder with no
 * environment but PATH and a port. It runs on its embedded Postgres, Postgres bus and in-process
 * cache, prints its URL and a one-time setup link; the link signs the owner in; a project, a ticket
 * assigned by the assignment role and moved are seen live on a socket; stopped and started again,
 * everything is still there and no new setup link is printed. Prints the figures for BENCHMARKS.md.
 */
import { describe, expect, test } from 'bun:test';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { ACCESS_COOKIE } from '@syncro/kit/auth';
import { client, eventually } from '@syncro/testing';
import { freePort } from '@syncro/testing/ports';
import { startBinary, treePssMiB, useBinaryWorkspace } from '../test/binary.ts';

const box = useBinaryWorkspace('embedded');

const cookie = (res: Response, name: string) =>
  res.headers
    .getSetCookie()
    .map((c) => c.split(';')[0]!)
    .find((c) => c.startsWith(`${name}=`))
    ?.slice(name.length + 1);

describe('the binary with no configuration', () => {
  test('setup link → owner → project → ticket → assigned → moved, live on a socket; a restart keeps everything', async () => {
    const port = freePort();
    const env = { PATH: process.env.PATH!, PORT: String(port) };
    const data = join(box.dir, 'data');
    const first = (box.running = await startBinary(box.bin, ['--data', data], env, box.dir));
    expect(first.url).toBe(`http://127.0.0.1:${port}/`);
    expect(first.setupLink).toStartWith(`http://127.0.0.1:${port}/auth/setup/`);
    const base = `http://127.0.0.1:${port}`;

    // The board itself is inside the binary.
    const page = await fetch(`${base}/`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<!doctype html>');
    // The development login is off, even though nothing was configured.
    expect((await client(base).post('/auth/dev/login', { email: 'x@example.test' })).status).toBe(404);

    const setup = await fetch(first.setupLink!, { redirect: 'manual' });
    expect(setup.status).toBe(303);
    expect(setup.headers.get('location')).toBe(`${base}/`);
    const token = cookie(setup, ACCESS_COOKIE)!;
    expect(token).toBeTruthy();
    expect((await fetch(first.setupLink!, { redirect: 'manual' })).status).toBe(404); // one time only
    const api = client(base, token);
    const me = (await api.get('/auth/me')).body;
    const ownerId: string = me.user?.id ?? me.id;
    expect(ownerId).toBeTruthy();

    expect((await api.post('/projects', { name: 'Embedded', key: 'EMB' })).status).toBe(201);
    const frames: { event: string; data: any }[] = [];
    const ws = new WebSocket(`ws://127.0.0.1:${port}/ws`, { headers: { authorization: `Bearer ${token}` } } as never);
    ws.onmessage = (m) => frames.push(JSON.parse(String(m.data)));
    await new Promise((resolve, reject) => ((ws.onopen = resolve), (ws.onerror = reject)));
    ws.send(JSON.stringify({ event: 'joinProject', data: { key: 'EMB' } }));
    await eventually('joined', () => frames.some((f) => f.event === 'joined'), 10_000);

    expect((await api.post('/projects/EMB/tickets', { title: 'from the embedded default' })).body.code).toBe('EMB-1');
    // Outbox → Postgres bus → assignment role → tickets role → hub (in-process pub/sub) → socket.
    await eventually('ticketCreated live', () => frames.some((f) => f.event === 'ticketCreated' && f.data.code === 'EMB-1'), 10_000);
    await eventually('assigned to the only member', async () => (await api.get('/tickets/EMB-1')).body.assigneeId === ownerId, 15_000);
    await eventually('ticketAssigned live', () => frames.some((f) => f.event === 'ticketAssigned' && f.data.code === 'EMB-1'), 10_000);
    const ticket = await api.get('/tickets/EMB-1');
    const moved = await api.patch('/tickets/EMB-1/status', { status: 'IN_PROGRESS' }, { 'if-match': ticket.headers.get('etag')! });
    expect(moved.status).toBe(200);
    await eventually('ticketMoved live', () => frames.some((f) => f.event === 'ticketMoved' && f.data.newStatus === 'IN_PROGRESS'), 10_000);
    ws.close();

    // Idle for a moment, then the whole board's memory: this process and its Postgres.
    await Bun.sleep(3000);
    const pss = treePssMiB(first.proc.pid);
    const rssMiB = Number((await Bun.file(`/proc/${first.proc.pid}/status`).text()).match(/VmRSS:\s+(\d+)/)![1]) / 1024;
    const ownPssMiB = Number((await Bun.file(`/proc/${first.proc.pid}/smaps_rollup`).text()).match(/Pss:\s+(\d+)/)![1]) / 1024;
    expect(await first.stop()).toBe(0);
    box.running = undefined;

    const second = (box.running = await startBinary(box.bin, ['--data', data], env, box.dir));
    expect(second.setupLink).toBeUndefined(); // it has an owner now
    // Same key (kept in the data folder): the owner's token still works, and the board is all there.
    const board = await client(base, token).get('/projects/EMB/board');
    expect(board.status).toBe(200);
    expect(board.body.columns.IN_PROGRESS.map((t: { code: string }) => t.code)).toEqual(['EMB-1']);
    expect((await client(base, token).post('/projects/EMB/tickets', { title: 'after the restart' })).body.code).toBe('EMB-2');

    console.log(
      JSON.stringify({
        binaryMiB: +(statSync(box.bin).size / 2 ** 20).toFixed(1),
        firstStartToReadyMs: Math.round(first.readyMs),
        secondStartToReadyMs: Math.round(second.readyMs),
        idleProcessRssMiB: +rssMiB.toFixed(1),
        idleProcessPssMiB: +ownPssMiB.toFixed(1),
        idleTreePssMiB: +pss.mib.toFixed(1),
        processes: pss.processes,
      }),
    );
    expect(await second.stop()).toBe(0);
    box.running = undefined;

    // backup → restore into a new folder → the same board there.
    const file = join(box.dir, 'board.tar.gz');
    const run = (args: string[]) => Bun.spawnSync([box.bin, ...args], { cwd: box.dir, env });
    const backedUp = run(['backup', file, '--data', data]);
    expect(backedUp.exitCode, backedUp.stderr.toString()).toBe(0);
    const copy = join(box.dir, 'restored');
    expect(run(['restore', file, '--data', copy]).exitCode).toBe(0);
    expect(run(['restore', file, '--data', copy]).stderr.toString()).toContain('holds a board already');
    const third = (box.running = await startBinary(box.bin, ['--data', copy], env, box.dir));
    expect(third.setupLink).toBeUndefined();
    const restored = await client(base, token).get('/projects/EMB/board');
    expect(restored.body.columns.OPEN.map((t: { code: string }) => t.code)).toEqual(['EMB-2']);
    expect(restored.body.columns.IN_PROGRESS.map((t: { code: string }) => t.code)).toEqual(['EMB-1']);
    // A running board is not backed up (the copy would not be consistent).
    expect(run(['backup', join(box.dir, 'hot.tar.gz'), '--data', copy]).stderr.toString()).toContain('is running');
    expect(await third.stop()).toBe(0);
    box.running = undefined;
  }, 180_000);

  test('version, --help listing the settings, keys, migrate, and a bad argument', () => {
    const env = { PATH: process.env.PATH! };
    const run = (args: string[], extra: Record<string, string> = {}) => Bun.spawnSync([box.bin, ...args], { cwd: box.dir, env: { ...env, ...extra } });
    expect(run(['version']).stdout.toString()).toMatch(/^syncroboard \d+\.\d+\.\d+/);
    const help = run(['--help']).stdout.toString();
    for (const name of ['serve', 'migrate', 'backup', 'restore', 'SYNCROBOARD_DATA', 'KAFKA_BROKERS', 'REDIS_URL', 'SIGNING_KEY', 'GOOGLE_CLIENT_ID', 'BOARD_CACHE', 'LOG_LEVEL', 'LOG_RETENTION_MS']) expect(help).toContain(name);
    const key = JSON.parse(run(['keys', 'generate']).stdout.toString());
    expect(key).toMatchObject({ kty: 'EC', crv: 'P-256' });
    expect(key.d && key.kid).toBeTruthy();
    expect(JSON.parse(run(['keys', 'public'], { SIGNING_KEY: JSON.stringify(key) }).stdout.toString())[0]).not.toHaveProperty('d');
    // A service credential for scale-out hubs: the secret for them, only its SHA-256 for auth.
    const client = Object.fromEntries(
      run(['keys', 'client', 'hub-2'])
        .stdout.toString()
        .split('\n')
        .filter((l) => l && !l.startsWith('#'))
        .map((l) => l.split('=') as [string, string]),
    );
    expect(client.SERVICE_CLIENT_ID).toBe('hub-2');
    expect(client.SERVICE_CLIENTS).toBe(`hub-2:${new Bun.CryptoHasher('sha256').update(client.SERVICE_CLIENT_SECRET!).digest('hex')}`);
    expect(run(['keys', 'client', 'Not_an_id']).exitCode).toBe(2);
    const bad = run(['--nope']);
    expect(bad.exitCode).toBe(2);
    expect(bad.stderr.toString()).toContain('unknown argument --nope');
    const migrated = run(['migrate', '--data', join(box.dir, 'migrated')], { PORT: String(freePort()) });
    expect(migrated.exitCode, migrated.stderr.toString()).toBe(0);
    expect(migrated.stdout.toString()).toContain('migrated');
  }, 60_000);
});
