/**
 * @module Reads a project's event log for resume, from the outbox (kept for the retention). When
 * `after` is older than what is retained, `resync` tells the client to refetch the board.
 */
import { outbox } from '@syncro/kit/outbox';
import { and, asc, eq, gt, min } from 'drizzle-orm';
import type { TicketDb } from '../context.ts';
import type { ProjectRow } from '../projects/projects.model.ts';

export interface EventLogPage {
  projectId: string;
  version: number;
  resync: boolean;
  hasMore: boolean;
  events: { topic: string; version: number | null; payload: Record<string, unknown> }[];
}

export async function readEventLog(db: TicketDb, project: ProjectRow, after: number, limit: number): Promise<EventLogPage> {
  const rows = await db
    .select({ topic: outbox.type, version: outbox.streamVersion, payload: outbox.payload })
    .from(outbox)
    .where(and(eq(outbox.partitionKey, project.id), gt(outbox.streamVersion, after)))
    .orderBy(asc(outbox.streamVersion))
    .limit(limit + 1);
  const [oldest] = await db.select({ version: min(outbox.streamVersion) }).from(outbox).where(eq(outbox.partitionKey, project.id));
  return {
    projectId: project.id,
    version: project.version,
    resync: after < project.version && (oldest?.version ?? project.version + 1) > after + 1,
    hasMore: rows.length > limit,
    events: rows.slice(0, limit),
  };
}

/** API shape of a page of the event log: each event's payload is its envelope, as on the wire. */
export const presentEventLog = (page: EventLogPage) => ({
  projectId: page.projectId,
  version: page.version,
  resync: page.resync,
  hasMore: page.hasMore,
  events: page.events.map((e) => ({ topic: e.topic, version: e.version, data: e.payload })),
});
