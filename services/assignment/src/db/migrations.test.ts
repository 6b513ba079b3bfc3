import { expect, test } from 'bun:test';
import { readdirSync } from 'node:fs';
import journal from '../../drizzle/meta/_journal.json';
import { migrationFiles } from './migrations.ts';

test('every generated migration is embedded', () => {
  const onDisk = readdirSync(new URL('../../drizzle', import.meta.url).pathname).filter((f) => f.endsWith('.sql'));
  const embedded = Object.keys(migrationFiles).filter((f) => f.endsWith('.sql'));
  expect(embedded.sort()).toEqual(onDisk.sort());
  expect(journal.entries.map((e) => `${e.tag}.sql`).sort()).toEqual(onDisk.sort());
});
