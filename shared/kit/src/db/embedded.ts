/**
 * @module Migrations that travel inside the code, so a `bun build --compile` binary carries them:
 * the files are imported as text, written to a private temp folder, and applied from there.
 */
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { migrateWithLock } from './migrate.ts';

/** Relative path in the drizzle folder (`0000_init.sql`, `meta/_journal.json`) → file text. */
export type MigrationFiles = Record<string, string>;

export async function migrateEmbedded(url: string, files: MigrationFiles, lockName: string): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'syncro-migrations-'));
  try {
    for (const [path, text] of Object.entries(files)) {
      mkdirSync(dirname(join(dir, path)), { recursive: true });
      writeFileSync(join(dir, path), text);
    }
    await migrateWithLock(url, dir, lockName);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
