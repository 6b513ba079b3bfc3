import { expect, test } from 'bun:test';
import { sweepMigratedSchema } from '@syncro/testing/retention';
import { migrationFiles } from './migrations.ts';
import { logRetention } from './retention.ts';

test('every retention rule runs against the migrated schema, and an inbox row past the retention goes', async () => {
  const { deleted, inbox } = await sweepMigratedSchema('notifications', migrationFiles, logRetention);
  expect(Object.keys(deleted).sort()).toEqual(logRetention.map((r) => r.table).sort());
  expect(deleted.inbox).toBe(1);
  expect(inbox).toEqual(['young']);
});
