/**
 * @module The unit of work for anything that changes a project's board: lock the project row,
 * let the command bump `projects.version` when it really changes something, commit, then delete
 * the board cache key and wake the outbox relay. Every command that writes events goes through here,
 * except a create, which does the same in one statement (tickets/ticketCreator.ts).
 */
import { sql } from 'drizzle-orm';
import type { TicketDeps, Tx } from '../context.ts';
import { executePrepared } from '../db/prepared.ts';

export interface ProjectChange {
  tx: Tx;
  /** The project's new version, taken once per transaction; every event of it carries this. */
  bump(): Promise<number>;
}

/** Outbox options of a project event at `version` (the event log reads them by version). */
export const projectStream = (projectId: string, version: number) => ({
  aggregateType: 'project',
  aggregateId: projectId,
  streamVersion: version,
});

type Deps = Pick<TicketDeps, 'db' | 'boardCache' | 'wakeRelay'>;

// The statements below run on every write, so they are SQL templates: Drizzle's query builder
// costs more CPU to build an UPDATE than Postgres spends running it (bench/ and docs/BENCHMARKS.md);
// prepared, so each is one round trip (db/prepared.ts).

export async function changeProject<T>(deps: Deps, projectId: string, work: (change: ProjectChange) => Promise<T>): Promise<T> {
  let version: number | null = null;
  const result = await deps.db.transaction(async (tx) => {
    // The row lock serialises writers of one project: ticket numbers, versions and outbox order.
    await executePrepared(tx, sql`select 1 from projects where id = ${projectId} for update`);
    const bump = async () => {
      if (version === null) {
        const [row] = await executePrepared<{ version: string }>(
          tx,
          sql`update projects set version = version + 1 where id = ${projectId} returning version`,
        );
        version = Number(row!.version);
      }
      return version;
    };
    return work({ tx, bump });
  });
  if (version !== null) {
    deps.wakeRelay();
    await deps.boardCache.invalidate(projectId, version);
  }
  return result;
}
