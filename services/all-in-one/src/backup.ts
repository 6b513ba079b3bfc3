/**
 * @module `syncroboard backup <file>` / `restore <file>`: the data folder (database cluster and
 * signing keys) as a tar.gz, taken while the board is stopped, so the copy is consistent without
 * pg_dump (the embedded Postgres packages ship only the server). An external database is backed up
 * with its own tools.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { processAlive } from '@syncro/kit/db';

/** What a backup holds: the cluster and the keys; the unpacked Postgres binaries are rebuilt on start. */
const PARTS = ['postgres', 'keys'];

function refuseIfRunning(dataDir: string) {
  const pidFile = resolve(dataDir, 'postgres', 'postmaster.pid');
  if (!existsSync(pidFile)) return;
  const pid = Number(readFileSync(pidFile, 'utf8').split('\n')[0]);
  if (Number.isInteger(pid) && pid > 0 && processAlive(pid)) throw new Error(`The board on ${dataDir} is running (Postgres pid ${pid}): stop it, then back up`);
}

async function tar(args: string[]) {
  const p = Bun.spawn(['tar', ...args], { stdout: 'ignore', stderr: 'pipe' });
  const [code, err] = await Promise.all([p.exited, new Response(p.stderr).text()]);
  if (code !== 0) throw new Error(`tar ${args[0]} failed (${code}): ${err.trim()}`);
}

export async function backup(dataDir: string, file: string) {
  if (!existsSync(resolve(dataDir, 'postgres', 'PG_VERSION'))) throw new Error(`No embedded database in ${dataDir} to back up`);
  refuseIfRunning(dataDir);
  await tar(['czf', resolve(file), '-C', dataDir, ...PARTS.filter((p) => existsSync(resolve(dataDir, p)))]);
}

export async function restore(file: string, dataDir: string) {
  if (!existsSync(file)) throw new Error(`No backup at ${file}`);
  if (existsSync(dataDir) && readdirSync(dataDir).some((f) => PARTS.includes(f))) {
    throw new Error(`${dataDir} holds a board already: restore into a new folder (--data)`);
  }
  mkdirSync(dataDir, { recursive: true });
  // Ownership and modes as they were (as root: the cluster belongs to `postgres`).
  await tar(['xzpf', resolve(file), '-C', dataDir, '--same-owner']);
}
