/**
 * The binary's first start from a cluster made at build time (scripts/compile.ts): the template's
 * password, which anyone holding the binary could read, opens nothing; the started cluster answers
 * only its own new password, and keeps it across a restart.
 */
import { afterAll, expect, test } from 'bun:test';
import { chmodSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { $ } from 'bun';
import postgres from 'postgres';
import { sealTemplate, startEmbeddedPostgres } from '@syncro/kit/db';

const dir = mkdtempSync(join(tmpdir(), 'syncro-template-'));
chmodSync(dir, 0o755); // as root the server runs as `postgres`, which must reach its folder
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const answers = async (url: string) => {
  const sql = postgres(url, { max: 1, connect_timeout: 2, onnotice: () => {} });
  try {
    return (await sql`select current_user as who`)[0]!.who === 'postgres';
  } catch {
    return false;
  } finally {
    await sql.end({ timeout: 1 });
  }
};

test('a sealed template starts with a password of its own; the build-time one opens nothing', async () => {
  const built = join(dir, 'built');
  const made = await startEmbeddedPostgres({ dataDir: built });
  const buildPassword = readFileSync(join(built, 'syncro-password'), 'utf8').trim();
  const admin = postgres(made.url, { max: 1, onnotice: () => {} });
  await admin`create database marker`;
  await admin.end();
  await made.stop();
  sealTemplate(built);
  const archive = join(dir, 'template.tar.gz');
  await $`tar czf ${archive} -C ${built} .`.quiet();

  const data = join(dir, 'data');
  const first = await startEmbeddedPostgres({ dataDir: data, template: Bun.file(archive) });
  expect(first.timings.templateMs).toBeGreaterThan(0);
  expect(first.url).not.toContain(buildPassword);
  expect(await answers(first.url)).toBe(true);
  expect(await answers(first.url.replace(/:[^:@]+@/, `:${buildPassword}@`))).toBe(false);
  // The template's contents came along.
  const sql = postgres(first.url, { max: 1 });
  expect((await sql`select count(*)::int as n from pg_database where datname = 'marker'`)[0]!.n).toBe(1);
  await sql.end();
  await first.stop();

  const again = await startEmbeddedPostgres({ dataDir: data, template: Bun.file(archive) });
  expect(again.timings.templateMs).toBeUndefined(); // not unpacked twice
  expect(again.url).toBe(first.url.replace(`:${first.port}/`, `:${again.port}/`));
  expect(await answers(again.url)).toBe(true);
  await again.stop();
}, 60_000);
