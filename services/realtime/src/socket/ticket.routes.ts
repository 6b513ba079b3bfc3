/** @module Route: `POST /realtime/ticket`, a one-time connection ticket for `/ws?ticket=` (30 s, single use). */
import { authGuard, tokenFrom } from '@syncro/kit/auth';
import { Elysia } from 'elysia';
import type { RealtimeDeps } from '../context.ts';

export const ticketRoutes = (deps: RealtimeDeps) =>
  new Elysia({ name: 'realtime.tickets' })
    .use(authGuard(deps.verify, 'realtime'))
    .post(
      '/realtime/ticket',
      async ({ request, set }) => {
        set.status = 201;
        return deps.tickets.issue(tokenFrom(request.headers)!);
      },
      { detail: { summary: 'A one-time ticket to open /ws?ticket=… (30 s, single use)', tags: ['realtime'] } },
    );
