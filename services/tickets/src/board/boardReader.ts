/**
 * @module Reads a board: from the cache when it can, else from one Postgres snapshot. With the cache
 * on, concurrent misses of one project are computed once per process; with it off
 * (`BOARD_CACHE=off`), every read is its own snapshot, which is what "uncached" means.
 */
import { NotFound } from '@syncro/kit/errors';
import { eq } from 'drizzle-orm';
import type { TicketDeps } from '../context.ts';
import { isProjectKey, requireMember } from '../projects/projectAccess.ts';
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

  /**
   * Membership comes first: a cached board carries its members, so a hit checks them without
   * Postgres; on a miss the membership query runs before anything is computed or stored, so an
   * outsider never makes the service compute a board or write a cache key. `ref` is canonical
   * (a lower-case UUID or a key): the cache is only ever addressed by the project's own id.
   */
  return async function readBoard(ref: string, userId: string): Promise<BoardRead> {
    const fromCache = async (projectId: string): Promise<BoardRead | null> => {
      const cached = await deps.boardCache.read(projectId);
      if (!cached) return null;
      if (!cached.members.includes(userId)) throw new NotFound(`Project ${ref}`);
      return { body: cached.body, cache: 'HIT' };
    };
    if (!isProjectKey(ref)) {
      const hit = await fromCache(ref);
      if (hit) return hit;
    }
    const { project } = await requireMember(deps.db, ref, userId);
    // Looked again even for an id: a concurrent miss may have stored the board meanwhile (it is
    // then in this process's memory), and computing it again would defeat computeOnce.
    const hit = await fromCache(project.id);
    if (hit) return hit;
    const computed = deps.boardCache.enabled ? await computeOnce(project.id) : await compute(project.id);
    if (!computed || !computed.members.includes(userId)) throw new NotFound(`Project ${ref}`);
    return { body: computed.body, cache: 'MISS' };
  };
}
