/**
 * @module The unit of work for anything that changes a project's board: lock the project row,
 * let the command bump `projects.version` when it really changes something, commit, then delete
 * the board cache key. Every command that writes events goes through here.
 */
import { eq, sql } from 'drizzle-orm';
import type { TicketDeps, Tx } from '../context.ts';
import { projects } from './projects.model.ts';

export interface ProjectChange {
  tx: Tx;
  /** The project's new version, taken once per transaction; every event of it carries this. */
  bump(): Promise<number>;
}

export async function changeProject<T>(
  deps: Pick<TicketDeps, 'db' | 'boardCache'>,
  projectId: string,
  work: (change: ProjectChange) => Promise<T>,
): Promise<T> {
  let version: number | null = null;
  const result = await deps.db.transaction(async (tx) => {
    // The row lock serialises writers of one project: ticket numbers, versions and outbox order.
    await tx.execute(sql`select 1 from projects where id = ${projectId} for update`);
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
    return work({ tx, bump });
  });
  if (version !== null) await deps.boardCache.invalidate(projectId, version);
  return result;
}
