/** @module Route: the board, served as cached bytes with `X-Cache: HIT|MISS`. */
import { authGuard } from '@syncro/kit/auth';
import { Elysia } from 'elysia';
import type { TicketDeps } from '../context.ts';
import { findProject, isProjectKey } from '../projects/projectAccess.ts';
import { NotFound } from '@syncro/kit/errors';
import { ProjectParams } from '../projects/projects.schema.ts';
import { createBoardReader } from './boardReader.ts';

export const boardRoutes = (deps: TicketDeps) => {
  const readBoard = createBoardReader(deps);
  // Keys never change once given, so key → id is safe to remember for the life of the process.
  const idsByKey = new Map<string, string>();
  const projectId = async (ref: string) => {
    if (!isProjectKey(ref)) return ref;
    let id = idsByKey.get(ref);
    if (!id) {
      const project = await findProject(deps.db, ref);
      if (!project) throw new NotFound(`Project ${ref}`);
      idsByKey.set(ref, (id = project.id));
    }
    return id;
  };

  return new Elysia({ name: 'tickets.board' })
    .use(authGuard(deps.verify, 'tickets'))
    .get(
      '/projects/:id/board',
      async ({ params, user }) => {
        const board = await readBoard(await projectId(params.id), user.id, params.id);
        return new Response(board.body, { headers: { 'content-type': 'application/json', 'x-cache': board.cache } });
      },
      { params: ProjectParams, detail: { summary: 'The kanban board, one column per status, with the project version', tags: ['board'] } },
    );
};
