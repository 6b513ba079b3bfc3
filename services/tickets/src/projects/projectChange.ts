/**
 * @module The unit of work for anything that changes a project's board: lock the project row,
 * let the command bump `projects.version` when it really changes something, commit, then delete
 * the board cache key and wake the outbox relay. Every command that writes events goes through here.
 */
import { sql } from 'drizzle-orm';
import type { TicketDeps, Tx } from '../context.ts';

export interface ProjectChange {
  tx: Tx;
  /** The project's new version, taken once per transaction; every event of it carries this. */
  bump(): Promise<number>;
}

export interface NumberedChange extends ProjectChange {
  /** The next ticket number of the project, taken with the lock: never reused, never duplicated. */
  ticketNumber: number;
  key: string;
}

/** Outbox options of a project event at `version` (the event log reads them by version). */
export const projectStream = (projectId: string, version: number) => ({
  aggregateType: 'project',
  aggregateId: projectId,
  streamVersion: version,
});

type Deps = Pick<TicketDeps, 'db' | 'boardCache' | 'wakeRelay'>;

// The statements below run on every write, so they are SQL templates: Drizzle's query builder
// costs more CPU to build an UPDATE than Postgres spends running it (bench/ and docs/BENCHMARKS.md).

async function run<C extends ProjectChange, T>(
  deps: Deps,
  projectId: string,
  open: (tx: Tx, setVersion: (v: number) => void) => Promise<Omit<C, 'tx' | 'bump'>>,
  work: (change: C) => Promise<T>,
): Promise<T> {
  let version: number | null = null;
  const result = await deps.db.transaction(async (tx) => {
    const extra = await open(tx, (v) => (version = v));
    const bump = async () => {
      if (version === null) {
        const [row] = await tx.execute<{ version: string }>(
          sql`update projects set version = version + 1 where id = ${projectId} returning version`,
        );
        version = Number(row!.version);
      }
      return version;
    };
    return work({ ...extra, tx, bump } as C);
  });
  if (version !== null) {
    deps.wakeRelay();
    await deps.boardCache.invalidate(projectId, version);
  }
  return result;
}

export function changeProject<T>(deps: Deps, projectId: string, work: (change: ProjectChange) => Promise<T>): Promise<T> {
  return run<ProjectChange, T>(
    deps,
    projectId,
    async (tx) => {
      // The row lock serialises writers of one project: ticket numbers, versions and outbox order.
      await tx.execute(sql`select 1 from projects where id = ${projectId} for update`);
      return {};
    },
    work,
  );
}

/** A change that creates a ticket: one UPDATE locks the row, bumps the version and takes the number. */
export function changeProjectWithNewTicket<T>(deps: Deps, projectId: string, work: (change: NumberedChange) => Promise<T>): Promise<T> {
  return run<NumberedChange, T>(
    deps,
    projectId,
    async (tx, setVersion) => {
      const [row] = await tx.execute<{ version: string; number: number; key: string }>(sql`
        update projects set version = version + 1, ticket_counter = ticket_counter + 1
        where id = ${projectId} returning version, ticket_counter as number, key`);
      setVersion(Number(row!.version));
      return { ticketNumber: row!.number, key: row!.key };
    },
    work,
  );
}
