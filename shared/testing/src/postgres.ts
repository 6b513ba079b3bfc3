/**
 * @module A throwaway real PostgreSQL for resilience tests: its own cluster (initdb) in a temp dir,
 * on a free loopback port, trust auth, fsync off. Tests stop and start it; the machine's server is
 * never touched.
 *
 *   const pg = await startThrowawayPostgres();
 *   ... a service with DATABASE_URL = pg.url('mydb') ...
 *   await pg.stop();     // server down (data kept)
 *   await pg.start();    // same port, same data
 *   await pg.dispose();  // stop + delete the cluster
 *
 * Postgres refuses to run as root, so under root the cluster belongs to the `postgres` user and
 * its commands run through `runuser`.
 */
import { chmodSync, chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './ports.ts';

export interface ThrowawayPostgres {
  port: number;
  /** A connection URL for `database` (default `postgres`). */
  url(database?: string): string;
  /** Fast shutdown (open connections are cut). No-op when stopped. */
  stop(): Promise<void>;
  /** Starts it again on the same port with the same data; resolves once it accepts connections. */
  start(): Promise<void>;
  dispose(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

/** PG_BIN, else the newest /usr/lib/postgresql/<version>/bin. */
function binDir(): string {
  if (process.env.PG_BIN) return process.env.PG_BIN;
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root) ? readdirSync(root).filter((v) => existsSync(join(root, v, 'bin', 'initdb'))) : [];
  const newest = versions.sort((a, b) => Number(b) - Number(a))[0];
  if (!newest) throw new Error('initdb not found under /usr/lib/postgresql (apt-get install postgresql, or set PG_BIN)');
  return join(root, newest, 'bin');
}

async function run(cmd: string[], asPostgres: boolean) {
  const argv = asPostgres ? ['runuser', '-u', 'postgres', '--', ...cmd] : cmd;
  const proc = Bun.spawn(argv, { stdout: 'pipe', stderr: 'pipe' });
  const [code, out, err] = await Promise.all([proc.exited, new Response(proc.stdout).text(), new Response(proc.stderr).text()]);
  if (code !== 0) throw new Error(`${cmd.join(' ')} failed (${code}): ${err || out}`);
}

export async function startThrowawayPostgres(): Promise<ThrowawayPostgres> {
  const bin = binDir();
  const asPostgres = process.getuid?.() === 0;
  const dir = mkdtempSync(join(tmpdir(), 'syncro-pg-'));
  const data = join(dir, 'data');
  if (asPostgres) {
    const { uid, gid } = await Bun.$`id -u postgres && id -g postgres`.text().then((t) => {
      const [u, g] = t.trim().split('\n').map(Number);
      return { uid: u!, gid: g! };
    });
    chownSync(dir, uid, gid);
  }
  chmodSync(dir, 0o700);
  await run([join(bin, 'initdb'), '-D', data, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--no-sync', '--no-instructions'], asPostgres);
  const port = freePort();
  const options = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off`;
  let running = false;

  const pg: ThrowawayPostgres = {
    port,
    url: (database = 'postgres') => `postgres://postgres@127.0.0.1:${port}/${database}`,
    async start() {
      if (running) return;
      await run([join(bin, 'pg_ctl'), '-D', data, '-o', options, '-l', join(dir, 'log'), '-w', '-t', '30', 'start'], asPostgres);
      running = true;
    },
    async stop() {
      if (!running) return;
      await run([join(bin, 'pg_ctl'), '-D', data, '-m', 'fast', '-w', '-t', '30', 'stop'], asPostgres);
      running = false;
    },
    async dispose() {
      await pg.stop().catch(() => {});
      rmSync(dir, { recursive: true, force: true });
    },
    [Symbol.asyncDispose]: () => pg.dispose(),
  };
  await pg.start();
  return pg;
}
