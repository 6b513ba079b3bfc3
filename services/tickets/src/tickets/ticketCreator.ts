/**
 * @module Creates a ticket in ONE statement: the membership check, the project UPDATE (row lock,
 * version, next number), the ticket INSERT and the `ticket.created` outbox INSERT are one
 * data-modifying CTE, sent outside any explicit transaction. So a create is one round trip and one
 * commit, and the project row is locked for the length of one statement instead of six round trips
 * (docs/BENCHMARKS.md: the lock held while the session waited on the client was the limit).
 *
 * A caller who is not a member (or a project that does not exist) matches no row in `target`: the
 * UPDATE and both INSERTs then see no row either, nothing is written, and the caller gets 404.
 */
import type { Priority } from '@syncro/contracts';
import type { AuthUser } from '@syncro/kit/auth';
import { NotFound } from '@syncro/kit/errors';
import { sql } from 'drizzle-orm';
import type { TicketDeps } from '../context.ts';
import { executePrepared } from '../db/prepared.ts';
import { prepareEvent } from '../events/outboxEvent.ts';
import { isProjectKey } from '../projects/projectAccess.ts';
import type { TicketRow } from './tickets.model.ts';

export interface NewTicket {
  title: string;
  description?: string | null;
  priority: Priority;
  labels: string[];
}

/** Valid placeholders for what only the statement knows; the SQL overwrites them (see outboxEvent.ts). */
const SOME_PROJECT = '00000000-0000-4000-8000-000000000000';
const SOME_CODE = 'AA-1';

export async function createTicket(
  deps: Pick<TicketDeps, 'db' | 'boardCache' | 'wakeRelay'>,
  projectRef: string,
  input: NewTicket,
  reporter: AuthUser,
): Promise<TicketRow> {
  const id = Bun.randomUUIDv7();
  const now = new Date();
  const at = now.toISOString();
  const labels = JSON.stringify(input.labels);
  const event = prepareEvent('ticket.created', {
    ticketId: id,
    projectId: SOME_PROJECT,
    reporterId: reporter.id,
    title: input.title,
    priority: input.priority,
    code: SOME_CODE,
    status: 'OPEN',
    labels: input.labels,
    version: 1,
  });
  const project = isProjectKey(projectRef) ? sql`p.key = ${projectRef}` : sql`p.id = ${projectRef}::uuid`;
  // A template, not the query builder: this runs on every create (see projects/projectChange.ts);
  // prepared, so it is one round trip (see db/prepared.ts).
  const [row] = await executePrepared<{ project_id: string; version: string; number: number; code: string }>(deps.db, sql`
    with target as (
      select p.id from projects p
      join project_members m on m.project_id = p.id and m.user_id = ${reporter.id}::uuid
      where ${project}
    ), counted as (
      update projects set version = version + 1, ticket_counter = ticket_counter + 1
      where id = (select id from target)
      returning id, version, ticket_counter as number, key || '-' || ticket_counter as code
    ), ticket as (
      insert into tickets (id, project_id, number, code, title, description, priority, status, labels,
                           reporter_id, version, created_at, updated_at)
      select ${id}::uuid, c.id, c.number, c.code, ${input.title}, ${input.description ?? null}, ${input.priority}, 'OPEN',
             array(select jsonb_array_elements_text(${labels}::jsonb)), ${reporter.id}::uuid, 1, ${at}::timestamptz, ${at}::timestamptz
      from counted c
    ), event as (
      insert into outbox (id, aggregatetype, aggregateid, type, partition_key, stream_version, payload, headers)
      select ${event.envelope.eventId}::uuid, 'ticket', ${id}, 'ticket.created', c.id::text, c.version,
             ${event.payloadJson}::jsonb || jsonb_build_object('projectId', c.id, 'version', c.version, 'code', c.code),
             ${event.headersJson}::jsonb
      from counted c
    )
    select id as project_id, version, number, code from counted`);
  if (!row) throw new NotFound(`Project ${projectRef}`);
  const version = Number(row.version);
  deps.wakeRelay();
  await deps.boardCache.invalidate(row.project_id, version);
  return {
    id,
    projectId: row.project_id,
    number: row.number,
    code: row.code,
    title: input.title,
    description: input.description ?? null,
    priority: input.priority,
    status: 'OPEN',
    labels: input.labels,
    reporterId: reporter.id,
    assigneeId: null,
    assignedAt: null,
    version: 1,
    createdAt: now,
    updatedAt: now,
  };
}
