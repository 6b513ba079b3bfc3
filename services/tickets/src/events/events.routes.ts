/**
 * @module Route: a project's event log for resume (events/eventLogReader.ts). Members read it with
 * their own token; services (the realtime hub) with a service credential that has scope
 * `events:read`. It is the only route that accepts one, so it does not use the users' guard (whose
 * audience check refuses service credentials) and is mounted before the plugins that do.
 */
import { credentialFrom } from '@syncro/kit/auth';
import { NotFound } from '@syncro/kit/errors';
import { HttpError } from '@syncro/kit/http';
import { Elysia } from 'elysia';
import * as v from 'valibot';
import type { TicketDeps } from '../context.ts';
import { findProject, requireMember } from '../projects/projectAccess.ts';
import type { ProjectRow } from '../projects/projects.model.ts';
import { ProjectParams } from '../projects/projects.schema.ts';
import { ErrorView, EventLogView, guardedErrors } from '../responses.schema.ts';
import { presentEventLog, readEventLog } from './eventLogReader.ts';
import { requireScope, serviceTokenOf } from './serviceCaller.ts';

const Count = (fallback: string, max: number) =>
  v.optional(v.pipe(v.string(), v.regex(/^\d+$/, 'must be a whole number'), v.transform(Number), v.maxValue(max)), fallback);

const EventsQuery = v.object({ after: Count('0', Number.MAX_SAFE_INTEGER), limit: Count('500', 1000) });

/** The project if the caller may read its log: a service with `events:read` any project, a user only theirs. */
async function readableProject(deps: TicketDeps, headers: Headers, ref: string): Promise<ProjectRow> {
  const serviceToken = serviceTokenOf(headers);
  if (serviceToken) {
    requireScope(await deps.verifyService(serviceToken), 'events:read');
    const project = await findProject(deps.db, ref);
    if (!project) throw new NotFound(`Project ${ref}`);
    return project;
  }
  // The users' guard, inline (a GET: no CSRF check for cookies).
  const credential = credentialFrom(headers);
  if (!credential) throw new HttpError(401, 'UNAUTHORIZED', 'A valid access token is required');
  const user = await deps.verify(credential.token);
  return (await requireMember(deps.db, ref, user.id)).project;
}

export const eventRoutes = (deps: TicketDeps) =>
  new Elysia({ name: 'tickets.events' }).get(
    '/projects/:id/events',
    async ({ params, query, request }) => {
      const project = await readableProject(deps, request.headers, params.id);
      return presentEventLog(await readEventLog(deps.db, project, query.after, Math.max(1, query.limit)));
    },
    {
      params: ProjectParams,
      query: EventsQuery,
      response: { 200: EventLogView, ...guardedErrors, 403: ErrorView },
      detail: { summary: 'Project events after a version, in order (members, or services with events:read)', tags: ['events'] },
    },
  );
