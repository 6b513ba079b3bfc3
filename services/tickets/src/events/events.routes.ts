/**
 * @module Route: a project's event log for resume, read from the outbox (kept for the retention).
 * When `after` is older than what is retained, `resync: true` tells the client to refetch the board.
 */
import { authGuard } from '@syncro/kit/auth';
import { outbox } from '@syncro/kit/outbox';
import { and, asc, eq, gt, min } from 'drizzle-orm';
import { Elysia } from 'elysia';
import * as v from 'valibot';
import type { TicketDeps } from '../context.ts';
import { requireMember } from '../projects/projectAccess.ts';
import { ProjectParams } from '../projects/projects.schema.ts';

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
        const limit = Math.max(1, query.limit);
        const rows = await deps.db
          .select({ topic: outbox.type, version: outbox.streamVersion, payload: outbox.payload })
          .from(outbox)
          .where(and(eq(outbox.partitionKey, project.id), gt(outbox.streamVersion, query.after)))
          .orderBy(asc(outbox.streamVersion))
          .limit(limit + 1);
        const [oldest] = await deps.db
          .select({ version: min(outbox.streamVersion) })
          .from(outbox)
          .where(eq(outbox.partitionKey, project.id));
        const resync = query.after < project.version && (oldest?.version ?? project.version + 1) > query.after + 1;
        return {
          projectId: project.id,
          version: project.version,
          resync,
          hasMore: rows.length > limit,
          events: rows.slice(0, limit).map((r) => ({ topic: r.topic, version: r.version, data: r.payload })),
        };
      },
      { params: ProjectParams, query: EventsQuery, detail: { summary: 'Project events after a version, in order', tags: ['events'] } },
    );
