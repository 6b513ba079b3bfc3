/**
 * @module Reads a board: from the cache when it can, else from one Postgres snapshot. With the cache
 * on, concurrent misses of one project are computed once per process; with it off
 * (`BOARD_CACHE=off`), every read is its own snapshot, which is what "uncached" means.
 */
import { NotFound } from '@syncro/kit/errors';
import { eq } from 'drizzle-orm';
import type { TicketDeps } from '../context.ts';
import { projectMembers, projects } from '../projects/projects.model.ts';
import { tickets } from '../tickets/tickets.model.ts';
import { presentBoard } from './boardPresenter.ts';

export interface BoardRead {
  body: string | Uint8Array;
  cache: 'HIT' | 'MISS';
}

interface Computed {
  members: string[];
  body: string;
  version: number;
}

export function createBoardReader(deps: Pick<TicketDeps, 'db' | 'boardCache' | 'metrics'>) {
  const inflight = new Map<string, Promise<Computed | null>>();
  const computations = deps.metrics.counter('board_computations_total', 'Boards computed from Postgres');

  /** Version, members and tickets from one repeatable-read snapshot, so they agree. */
  const compute = (projectId: string) =>
    deps.db.transaction(
      async (tx) => {
        const [project] = await tx.select({ version: projects.version }).from(projects).where(eq(projects.id, projectId));
        if (!project) return null;
        const members = await tx.select({ userId: projectMembers.userId }).from(projectMembers).where(eq(projectMembers.projectId, projectId));
        const rows = await tx.select().from(tickets).where(eq(tickets.projectId, projectId));
        computations.inc();
        return {
          members: members.map((m) => m.userId),
          body: JSON.stringify(presentBoard(projectId, project.version, rows)),
          version: project.version,
        };
      },
      { isolationLevel: 'repeatable read', accessMode: 'read only' },
    );

  const computeOnce = (projectId: string) => {
    let p = inflight.get(projectId);
    if (!p) {
      p = compute(projectId).then(async (computed) => {
        if (computed) await deps.boardCache.write(projectId, computed);
        return computed;
      });
      p.finally(() => inflight.delete(projectId)).catch(() => {});
      inflight.set(projectId, p);
    }
    return p;
  };

  return async function readBoard(projectId: string, userId: string, ref: string): Promise<BoardRead> {
    const cached = await deps.boardCache.read(projectId);
    if (cached) {
      if (!cached.members.includes(userId)) throw new NotFound(`Project ${ref}`);
      return { body: cached.body, cache: 'HIT' };
    }
    const computed = deps.boardCache.enabled ? await computeOnce(projectId) : await compute(projectId);
    if (!computed || !computed.members.includes(userId)) throw new NotFound(`Project ${ref}`);
    return { body: computed.body, cache: 'MISS' };
  };
}
