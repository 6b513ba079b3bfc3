/**
 * @module The unit of work for anything that changes a project's board: lock the project row,
 * let the command bump `projects.version` when it really changes something, commit, then delete
 * the board cache key and wake the outbox relay. Every command that writes events goes through here.
 */
import { eq, sql } from 'drizzle-orm';
import type { TicketDeps, Tx } from '../context.ts';
import { projects } from './projects.model.ts';

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

type Deps = Pick<TicketDeps, 'db' | 'boardCache' | 'wakeRelay'>;

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
        const [row] = await tx
          .update(projects)
          .set({ version: sql`${projects.version} + 1` })
          .where(eq(projects.id, projectId))
          .returning({ version: projects.version });
        version = row!.version;
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
      const [row] = await tx
        .update(projects)
        .set({ version: sql`${projects.version} + 1`, ticketCounter: sql`${projects.ticketCounter} + 1` })
        .where(eq(projects.id, projectId))
        .returning({ version: projects.version, ticketNumber: projects.ticketCounter, key: projects.key });
      setVersion(row!.version);
      return { ticketNumber: row!.ticketNumber, key: row!.key };
    },
    work,
  );
}
