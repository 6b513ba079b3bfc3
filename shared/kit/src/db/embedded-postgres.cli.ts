/**
 * @module Runs a command against a fresh embedded Postgres: the test command's "embedded profile".
 * The command gets `PG_ADMIN_URL` (what the test helpers create their databases from) and
 * `EMBEDDED_DATABASE_URL` pointing at it; the cluster is deleted afterwards unless `--data` was given.
 *
 *   bun shared/kit/src/db/embedded-postgres.cli.ts [--data DIR] -- bun test services/tickets
 */
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEmbeddedPostgres } from './embedded-postgres.ts';

// Bun drops a bare `--` from argv: the command is whatever follows our own flags.
const argv = process.argv.slice(2);
const dataDirFlag = argv[0] === '--data' ? argv[1] : undefined;
const command = argv.slice(dataDirFlag === undefined ? 0 : 2).filter((a, i) => !(i === 0 && a === '--'));
if (command.length === 0 || (argv[0] === '--data' && !dataDirFlag)) {
  console.error('usage: embedded-postgres.cli.ts [--data DIR] [--] <command> [args...]');
  process.exit(2);
}
const scratch = dataDirFlag === undefined ? mkdtempSync(join(tmpdir(), 'embedded-profile-')) : null;
if (scratch) chmodSync(scratch, 0o755); // as root the server runs as `postgres`, which must reach its folder
const dataDir = scratch ? join(scratch, 'data') : dataDirFlag!;

const pg = await startEmbeddedPostgres({ dataDir });
console.error(`embedded Postgres on port ${pg.port} (${dataDir})`);
const child = Bun.spawn(command, { stdio: ['inherit', 'inherit', 'inherit'], env: { ...process.env, PG_ADMIN_URL: pg.url, EMBEDDED_DATABASE_URL: pg.url } });
const stop = () => child.kill('SIGTERM');
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
const code = await child.exited;
await pg.stop();
if (scratch) rmSync(scratch, { recursive: true, force: true });
process.exit(code);
