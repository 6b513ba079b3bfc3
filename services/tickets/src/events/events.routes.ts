/** @module Route: a project's event log for resume (events/eventLogReader.ts). */
import { authGuard } from '@syncro/kit/auth';
import { EventLogView, guardedErrors } from '../responses.schema.ts';
import { Elysia } from 'elysia';
import * as v from 'valibot';
import type { TicketDeps } from '../context.ts';
import { requireMember } from '../projects/projectAccess.ts';
import { ProjectParams } from '../projects/projects.schema.ts';
import { presentEventLog, readEventLog } from './eventLogReader.ts';

const Count = (fallback: string, max: number) =>
  v.optional(v.pipe(v.string(), v.regex(/^\d+$/, 'must be a whole number'), v.transform(Number), v.maxValue(max)), fallback);

const EventsQuery = v.object({ after: Count('0', Number.MAX_SAFE_INTEGER), limit: Count('500', 1000) });

export const eventRoutes = (deps: TicketDeps) =>
  new Elysia({ name: 'tickets.events' })
    .use(authGuard(deps.verify, 'tickets'))
    .get(
      '/projects/:id/events',
      async ({ params, query, user }) => {
        const { project } = await requireMember(deps.db, params.id, user.id);
        return presentEventLog(await readEventLog(deps.db, project, query.after, Math.max(1, query.limit)));
      },
      { params: ProjectParams, query: EventsQuery, response: { 200: EventLogView, ...guardedErrors }, detail: { summary: 'Project events after a version, in order', tags: ['events'] } },
    );
