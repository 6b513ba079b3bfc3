/** @module Route: the board, served as cached bytes with `X-Cache: HIT|MISS`. */
import { authGuard } from '@syncro/kit/auth';
import { BoardView, guardedErrors } from '../responses.schema.ts';
import { Elysia } from 'elysia';
import type { TicketDeps } from '../context.ts';
import { ProjectParams } from '../projects/projects.schema.ts';
import { createBoardReader } from './boardReader.ts';

export const boardRoutes = (deps: TicketDeps) => {
  const readBoard = createBoardReader(deps);
  return new Elysia({ name: 'tickets.board' })
    .use(authGuard(deps.verify, 'tickets'))
    .get(
      '/projects/:id/board',
      async ({ params, user }) => {
        const board = await readBoard(params.id, user.id);
        return new Response(board.body, { headers: { 'content-type': 'application/json', 'x-cache': board.cache } });
      },
      { params: ProjectParams, response: { 200: BoardView, ...guardedErrors }, detail: { summary: 'The kanban board, one column per status, with the project version', tags: ['board'] } },
    );
};
