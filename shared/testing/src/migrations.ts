/** @module The SQL files drizzle-kit generated, as the folder, the journal and the embedded set name them. */
import { readdirSync } from 'node:fs';
import type { MigrationFiles } from '@syncro/kit/db';

export function migrationNames(drizzleDir: URL, journal: { entries: { tag: string }[] }, embedded: MigrationFiles) {
  return {
    onDisk: readdirSync(drizzleDir.pathname).filter((f) => f.endsWith('.sql')).sort(),
    inJournal: journal.entries.map((e) => `${e.tag}.sql`).sort(),
    embedded: Object.keys(embedded).filter((f) => f.endsWith('.sql')).sort(),
  };
}
