/**
 * @module Reads a board: from the cache when it can, else from one Postgres snapshot, with
 * concurrent misses for one project computed once per process.
 */
import { notFound } from '@syncro/kit/http';
import { eq } from 'drizzle-orm';
import type { TicketDeps } from '../context.ts';
import { projectMembers, projects } from '../projects/projects.model.ts';
import { tickets } from '../tickets/tickets.model.ts';
import { presentBoard } from './boardPresenter.ts';

export interface BoardRead {
  body: string;
  cache: 'HIT' | 'MISS';
}

interface Computed {
  members: string[];
  body: string;
  version: number;
}

export function createBoardReader(deps: Pick<TicketDeps, 'db' | 'boardCache' | 'metrics'>) {
  const inflight = new Map<string, Promise<Computed | null>>();
  const computations = deps.metrics.counter('board_computations_total', 'Boards computed from Postgres (cache misses after single-flight)');

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
        if (computed) await deps.boardCache.write(projectId, `${computed.members.join(',')}\n${computed.body}`, computed.version);
        return computed;
      });
      p.finally(() => inflight.delete(projectId)).catch(() => {});
      inflight.set(projectId, p);
    }
    return p;
  };

  return async function readBoard(projectId: string, userId: string, ref: string): Promise<BoardRead> {
    const entry = await deps.boardCache.read(projectId);
    if (entry !== null) {
      const split = entry.indexOf('\n');
      // Member ids are fixed-length UUIDs joined by commas, so a substring match is exact.
      if (!entry.slice(0, split).includes(userId)) throw notFound(`Project ${ref}`);
      return { body: entry.slice(split + 1), cache: 'HIT' };
    }
    const computed = await computeOnce(projectId);
    if (!computed || !computed.members.includes(userId)) throw notFound(`Project ${ref}`);
    return { body: computed.body, cache: 'MISS' };
  };
}
