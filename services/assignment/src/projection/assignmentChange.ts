/**
 * @module The unit of work of this service: one transaction that first locks the project's row,
 * so the consumer and the HTTP commands decide one project's assignments one at a time (loads
 * read by one decision include the previous one), then wakes the relay after commit.
 */
import { sql } from 'drizzle-orm';
import type { AssignDeps, Tx } from '../context.ts';

export interface AssignmentChange {
  tx: Tx;
  /** Call after writing to the outbox: the relay is woken once the transaction commits. */
  published(): void;
}

export async function changeAssignments<T>(
  deps: Pick<AssignDeps, 'db' | 'wakeRelay'>,
  projectId: string,
  work: (change: AssignmentChange) => Promise<T>,
): Promise<T> {
  let wrote = false;
  const result = await deps.db.transaction(async (tx) => {
    // A project not known yet locks nothing; its tickets wait unassigned until project.created.
    await tx.execute(sql`select 1 from projects where id = ${projectId} for update`);
    return work({ tx, published: () => (wrote = true) });
  });
  if (wrote) deps.wakeRelay();
  return result;
}
