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

/** The embedded set cut after its first `count` journal entries: a database as an older release left it. */
export function migrationsUpTo(files: MigrationFiles, count: number): MigrationFiles {
  const journal = JSON.parse(files['meta/_journal.json']!) as { entries: { tag: string }[] };
  const kept = journal.entries.slice(0, count);
  const out: MigrationFiles = { 'meta/_journal.json': JSON.stringify({ ...journal, entries: kept }) };
  for (const e of kept) out[`${e.tag}.sql`] = files[`${e.tag}.sql`]!;
  return out;
}
