/**
 * @module Runs the Ticket Service's own commands (createTicket, updateTicket, changeStatus, addComment)
 * inside one outer transaction, so a webhook's effect and its delivery record commit together.
 * The commands' transactions become savepoints of it; what they do after their commit (wake the
 * relay, invalidate the board cache) is held until the outer commit, when it is true.
 */
import type { AuthUser } from '@syncro/kit/auth';
import type { BoardCache } from '../board/boardCache.ts';
import type { TicketDb, TicketDeps, Tx } from '../context.ts';

export type CommandDeps = Pick<TicketDeps, 'db' | 'boardCache' | 'wakeRelay'>;

export async function inOneTransaction<T>(deps: CommandDeps, work: (inner: CommandDeps, tx: Tx) => Promise<T>): Promise<T> {
  const invalidations = new Map<string, number>();
  let wake = false;
  const boardCache: BoardCache = {
    ...deps.boardCache,
    enabled: deps.boardCache.enabled,
    read: (p) => deps.boardCache.read(p),
    write: (p, b) => deps.boardCache.write(p, b),
    invalidate: async (projectId, version) => {
      invalidations.set(projectId, Math.max(version, invalidations.get(projectId) ?? 0));
    },
  };
  const result = await deps.db.transaction((tx) =>
    // A transaction has what the commands use of a database handle (queries, savepoints, its client).
    work({ db: tx as unknown as TicketDb, boardCache, wakeRelay: () => void (wake = true) }, tx),
  );
  if (wake) deps.wakeRelay();
  for (const [projectId, version] of invalidations) await deps.boardCache.invalidate(projectId, version);
  return result;
}

/** The identity an integration acts as. Bots have no mailbox: the address is a reserved name. */
export const botUser = (row: { botUserId: string; botName: string; id: string }): AuthUser => ({
  id: row.botUserId,
  name: row.botName,
  email: `integration-${row.id}@bots.invalid`,
});
