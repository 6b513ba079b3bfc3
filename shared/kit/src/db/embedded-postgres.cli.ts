/**
 * @module Runs a command against a fresh embedded Postgres: the test command's "embedded profile".
 * The command gets `PG_ADMIN_URL` (what the test helpers create their databases from) and
 * `EMBEDDED_DATABASE_URL` pointing at it; the cluster is deleted afterwards unless `--data` was given.
 *
 *   bun shared/kit/src/db/embedded-postgres.cli.ts [--data DIR] [--expect-databases a_test,b_test] -- bun test services/tickets
 *
 * The server logs its DDL, so the databases the command created on it are counted by name prefix
 * (`tickets_test_…` → tickets_test) and listed at the end: proof that the suites ran here and not on
 * the machine's Postgres. `--expect-databases` makes a listed prefix with none a failure (exit 1).
 */
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEmbeddedPostgres } from './embedded-postgres.ts';

const USAGE = 'usage: embedded-postgres.cli.ts [--data DIR] [--expect-databases PREFIX,...] [--] <command> [args...]';

// Our flags first; Bun drops a bare `--` from argv, so the command is whatever follows them.
const argv = process.argv.slice(2);
let dataDirFlag: string | undefined;
let expected: string[] = [];
while (argv[0] === '--data' || argv[0] === '--expect-databases') {
  const [flag, value] = argv.splice(0, 2);
  if (!value) {
    console.error(USAGE);
    process.exit(2);
  }
  if (flag === '--data') dataDirFlag = value;
  else expected = value.split(',').filter(Boolean);
}
const command = argv[0] === '--' ? argv.slice(1) : argv;
if (command.length === 0) {
  console.error(USAGE);
  process.exit(2);
}
const scratch = dataDirFlag === undefined ? mkdtempSync(join(tmpdir(), 'embedded-profile-')) : null;
if (scratch) chmodSync(scratch, 0o755); // as root the server runs as `postgres`, which must reach its folder
const dataDir = scratch ? join(scratch, 'data') : dataDirFlag!;

// `create database "tickets_test_0123456789ab"` as the server logs it (log_statement=ddl): the
// helpers name a database <prefix>_<12 hex> (shared/testing/src/db.ts).
const CREATED = /statement: create database "?([a-z0-9_]+?)(?:_[0-9a-f]{12})?"?\s*$/i;
const created = new Map<string, number>();
const pg = await startEmbeddedPostgres({
  dataDir,
  settings: { log_statement: 'ddl' },
  onLog: (line) => {
    const m = CREATED.exec(line);
    if (m) created.set(m[1]!, (created.get(m[1]!) ?? 0) + 1);
  },
});
console.error(`embedded Postgres on port ${pg.port} (${dataDir})`);
const child = Bun.spawn(command, { stdio: ['inherit', 'inherit', 'inherit'], env: { ...process.env, PG_ADMIN_URL: pg.url, EMBEDDED_DATABASE_URL: pg.url } });
const stop = () => child.kill('SIGTERM');
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
let code = await child.exited;
await pg.stop();
if (scratch) rmSync(scratch, { recursive: true, force: true });

const counts = [...created].sort(([a], [b]) => a.localeCompare(b)).map(([prefix, n]) => `${prefix} ×${n}`);
const total = [...created.values()].reduce((a, b) => a + b, 0);
console.error(`embedded Postgres: ${total} databases created on it${counts.length ? ` (${counts.join(', ')})` : ''}`);
const missing = expected.filter((prefix) => !created.has(prefix));
if (missing.length > 0) {
  console.error(`embedded Postgres: no database ${missing.join(', ')} was created on it: those suites did not run here (PG_ADMIN_URL ignored?)`);
  code ||= 1;
}
process.exit(code);
