/**
 * @module The generated migrations of `syncro_auth_db`, embedded so the compiled binary has them.
 * After `bun run db:generate`, add the new SQL file here: migrations.test.ts fails until you do.
 */
import type { MigrationFiles } from '@syncro/kit/db';
import journal from '../../drizzle/meta/_journal.json';
import m0000 from '../../drizzle/0000_init.sql' with { type: 'text' };
import m0001 from '../../drizzle/0001_invites.sql' with { type: 'text' };

export const migrationFiles: MigrationFiles = {
  'meta/_journal.json': JSON.stringify(journal),
  '0000_init.sql': m0000,
  '0001_invites.sql': m0001,
};
