import { expect, test } from 'bun:test';
import { migrationNames } from '@syncro/testing/migrations';
import journal from '../../drizzle/meta/_journal.json';
import { migrationFiles } from './migrations.ts';

test('every generated migration is embedded', () => {
  const { onDisk, inJournal, embedded } = migrationNames(new URL('../../drizzle', import.meta.url), journal, migrationFiles);
  expect(embedded).toEqual(onDisk);
  expect(inJournal).toEqual(onDisk);
});
