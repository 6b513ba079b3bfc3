/**
 * infra/install.sh decides from what is on the machine (looked up on SYNCRO_INSTALL_PROBE_PATH, so a
 * test can hide tools without touching them) what apt-get installs. Nothing here installs or stops
 * anything: as root it runs in its dry run; as `nobody` (runuser) it must refuse with the exact line.
 */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { chmodSync, chownSync, copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '@syncro/testing/ports';

const SCRIPT = new URL('./install.sh', import.meta.url).pathname;
const APT_LINE = /^apt-get install -y --no-install-recommends (.+)$/m;
const JAVA = 'openjdk-(?:17|21)-jre-headless'; // 21 where the package lists have no 17 (Debian 13)

interface Run {
  code: number;
  out: string;
  err: string;
}

function run(cmd: string[], env: Record<string, string> = {}): Run {
  // Only what the script needs: a PGPASSWORD or similar from the caller must not change the outcome.
  const base = { PATH: process.env.PATH!, HOME: process.env.HOME ?? '/root', LC_ALL: 'C' };
  const p = Bun.spawnSync(cmd, { env: { ...base, ...env }, stdout: 'pipe', stderr: 'pipe' });
  return { code: p.exitCode, out: p.stdout.toString(), err: p.stderr.toString() };
}

/**
 * The script and what it reads (lib.sh, package.json) in a folder `nobody` can enter: a checkout may
 * be private (CI clones under `mktemp -d`, mode 0700), and `nobody` could not read the script there.
 */
let openCopy: string | undefined;
function scriptFor(as: 'root' | 'nobody') {
  if (as === 'root') return SCRIPT;
  if (!openCopy) {
    openCopy = mkdtempSync(join(tmpdir(), 'install-script-'));
    mkdirSync(join(openCopy, 'infra'));
    for (const f of ['infra/install.sh', 'infra/lib.sh', 'package.json']) copyFileSync(new URL(`../${f}`, import.meta.url).pathname, join(openCopy, f));
    for (const d of [openCopy, join(openCopy, 'infra')]) chmodSync(d, 0o755);
    dirs.push(openCopy);
  }
  return join(openCopy, 'infra', 'install.sh');
}

/** install.sh as root (this test's user) or as `nobody`; runuser keeps no variables we do not pass. */
function install(env: Record<string, string>, as: 'root' | 'nobody' = 'root'): Run {
  const vars = { PATH: process.env.PATH!, LC_ALL: 'C', ...env };
  if (as === 'root') return run(['bash', SCRIPT], vars);
  return run(['runuser', '-u', 'nobody', '--', 'env', '-i', ...Object.entries(vars).map(([k, v]) => `${k}=${v}`), 'bash', scriptFor(as)]);
}

function which(cmd: string) {
  const path = Bun.which(cmd);
  if (!path) throw new Error(`${cmd} is not on PATH here`);
  return path;
}

/** A folder open to `nobody` with links to these real tools only: what the script may find. */
const dirs: string[] = [];
function probePath(...tools: string[]) {
  const dir = mkdtempSync(join(tmpdir(), 'install-probe-'));
  chmodSync(dir, 0o755);
  for (const t of tools) symlinkSync(which(t), join(dir, t));
  dirs.push(dir);
  return dir;
}
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

describe('what infra/install.sh installs', () => {
  test('with everything present nothing is installed or asked for, as root or not', () => {
    for (const as of ['root', 'nobody'] as const) {
      const r = install({ SYNCRO_INSTALL_DRY_RUN: '1' }, as);
      expect(r.err).toContain('nothing to install');
      expect(r.out).toBe('');
      expect(r.code).toBe(0);
    }
  }, 30_000);

  test('postgres, redis and java hidden, as root in a dry run: prints the exact apt-get line, which apt-get itself resolves (simulation)', () => {
    const r = install({ SYNCRO_INSTALL_DRY_RUN: '1', SYNCRO_INSTALL_PROBE_PATH: probePath('bun', 'mvn', 'apt-get', 'apt-cache') });
    expect(r.out.trim()).toMatch(new RegExp(`^apt-get install -y --no-install-recommends postgresql redis-server ${JAVA}$`));
    expect(r.err).toContain('dry run');
    expect(r.code).toBe(0);
    // The line itself through apt-get's simulation (no change to the machine): it resolves.
    const sim = run(['apt-get', 'install', '--dry-run', '-y', '--no-install-recommends', ...APT_LINE.exec(r.out)![1]!.split(' ')]);
    expect(sim.err).not.toContain('E:');
    expect(sim.code).toBe(0);
  }, 60_000);

  test('the same as a user who is not root: says the exact line to run as root and exits non-zero', () => {
    const r = install({ SYNCRO_INSTALL_PROBE_PATH: probePath('bun', 'mvn', 'apt-get', 'apt-cache') }, 'nobody');
    expect(r.code).toBe(1);
    expect(r.out).toBe('');
    expect(r.err).toContain('not running as root, so nothing is installed');
    expect(r.err).toMatch(new RegExp(`^  apt-get update && apt-get install -y --no-install-recommends postgresql redis-server ${JAVA}$`, 'm'));
  }, 30_000);

  test('everything hidden but apt: Maven and npm (for Bun) too, each a package with an install candidate', () => {
    const r = install({ SYNCRO_INSTALL_DRY_RUN: '1', SYNCRO_INSTALL_PROBE_PATH: probePath('apt-get', 'apt-cache') });
    expect(r.code).toBe(0);
    const packages = APT_LINE.exec(r.out)![1]!.split(' ');
    expect(packages.join(' ')).toMatch(new RegExp(`^postgresql redis-server ${JAVA} maven npm$`));
    // Names, not a simulated install: this machine's Node.js (NodeSource, with its own npm) conflicts
    // with Debian's npm package, which a fresh Debian installs without trouble.
    const policy = run(['apt-cache', 'policy', ...packages]).out;
    const candidates = Object.fromEntries([...policy.matchAll(/^(\S+):\n\s+Installed: .*\n\s+Candidate: (.*)$/gm)].map((m) => [m[1], m[2]]));
    expect(packages.filter((name) => (candidates[name] ?? '(none)') === '(none)')).toEqual([]);
  }, 60_000);

  test('no apt-get: names what to install and exits non-zero, even as root', () => {
    const r = install({ SYNCRO_INSTALL_DRY_RUN: '1', SYNCRO_INSTALL_PROBE_PATH: probePath() });
    expect(r.code).toBe(1);
    expect(r.out).toBe('');
    expect(r.err).toContain('apt-get not found');
    for (const what of ['PostgreSQL server and client', 'Redis', 'Java 17 or newer', 'Maven', 'npm']) expect(r.err).toContain(`  - ${what}`);
  }, 30_000);
});

/**
 * The pg_hba.conf change the installer makes, on a real cluster set up like Debian's default (a
 * password over TCP): before it postgres is refused over 127.0.0.1, after it and a reload it is in.
 */
describe('pg_trust_loopback', () => {
  const root = '/usr/lib/postgresql';
  const bin = join(root, readdirSync(root).sort((a, b) => Number(b) - Number(a))[0]!, 'bin');
  const dir = mkdtempSync(join(tmpdir(), 'install-pg-'));
  const data = join(dir, 'data');
  const hba = join(data, 'pg_hba.conf');
  const port = freePort();
  // Postgres will not run as root: its commands run as `postgres`, which owns the folder.
  const asPostgres = (cmd: string[]) => run(process.getuid?.() === 0 ? ['runuser', '-u', 'postgres', '--', ...cmd] : cmd);
  const login = () => run(['psql', '-h', '127.0.0.1', '-p', String(port), '-U', 'postgres', '-d', 'postgres', '-w', '-tAc', 'select 1']);
  const ok = (r: Run) => {
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
  };

  beforeAll(() => {
    if (process.getuid?.() === 0) {
      const [uid, gid] = run(['bash', '-c', 'id -u postgres; id -g postgres']).out.trim().split('\n').map(Number);
      chownSync(dir, uid!, gid!);
    }
    const init = asPostgres([join(bin, 'initdb'), '-D', data, '-U', 'postgres', '--auth-local=trust', '--auth-host=scram-sha-256', '--no-sync', '--no-instructions']);
    expect(init.code).toBe(0);
    const opts = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off`;
    expect(asPostgres([join(bin, 'pg_ctl'), '-D', data, '-o', opts, '-l', join(dir, 'log'), '-w', '-t', '30', 'start']).code).toBe(0);
  }, 60_000);
  afterAll(() => {
    asPostgres([join(bin, 'pg_ctl'), '-D', data, '-m', 'fast', '-w', 'stop']);
    rmSync(dir, { recursive: true, force: true });
  });

  test('lets postgres in over 127.0.0.1 without a password; applied twice, the lines are there once; owner and mode kept', () => {
    const refused = login();
    expect(refused.code).not.toBe(0);
    expect(refused.err).toContain('no password supplied');

    const before = statSync(hba);
    for (let i = 0; i < 2; i++) ok(run(['bash', '-c', `source ${SCRIPT} && pg_trust_loopback ${hba}`]));
    const lines = readFileSync(hba, 'utf8').split('\n');
    expect(lines.slice(1, 3)).toEqual(['host all postgres 127.0.0.1/32 trust', 'host all postgres ::1/128 trust']);
    expect(lines.filter((l) => l.startsWith('# SyncroBoard (infra/install.sh)'))).toHaveLength(1);
    const after = statSync(hba);
    expect([after.uid, after.mode]).toEqual([before.uid, before.mode]);

    expect(asPostgres([join(bin, 'pg_ctl'), '-D', data, 'reload']).code).toBe(0);
    // A reload is asynchronous: the postmaster rereads pg_hba.conf on SIGHUP.
    let admitted = login();
    for (let i = 0; i < 50 && admitted.code !== 0; i++) Bun.sleepSync(100), (admitted = login());
    expect(admitted.out.trim()).toBe('1');
  }, 30_000);
});
