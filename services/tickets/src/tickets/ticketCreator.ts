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
import { sql, type SQL } from 'drizzle-orm';
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

export interface CreateStatement {
  /** The new ticket's id. */
  id: string;
  at: string;
  input: NewTicket;
  reporterId: string;
  /** Which project, as a condition on `projects p`. */
  project: SQL;
  /** Another condition the target must meet (a webhook: its external id has no ticket yet). */
  guard?: SQL;
  /** More CTE arms, written in the same statement; they may read `counted` and `ticket` (its `id`). */
  arms?: SQL;
}

/**
 * The create statement every path shares (the API's create, a webhook delivery's): target → counted
 * (the UPDATE that locks the project and takes version and number) → ticket → the `ticket.created`
 * outbox row, plus the caller's arms. It answers the project id, version, number and code, or no row.
 */
export function ticketCreateStatement(o: CreateStatement): SQL {
  const labels = JSON.stringify(o.input.labels);
  const event = prepareEvent('ticket.created', {
    ticketId: o.id,
    projectId: SOME_PROJECT,
    reporterId: o.reporterId,
    title: o.input.title,
    priority: o.input.priority,
    code: SOME_CODE,
    status: 'OPEN',
    labels: o.input.labels,
    version: 1,
  });
  return sql`
    with target as (
      select p.id from projects p
      join project_members m on m.project_id = p.id and m.user_id = ${o.reporterId}::uuid
      where ${o.project}${o.guard ? sql` and ${o.guard}` : sql``}
    ), counted as (
      update projects set version = version + 1, ticket_counter = ticket_counter + 1
      where id = (select id from target)
      returning id, version, ticket_counter as number, key || '-' || ticket_counter as code
    ), ticket as (
      insert into tickets (id, project_id, number, code, title, description, priority, status, labels,
                           reporter_id, version, created_at, updated_at)
      select ${o.id}::uuid, c.id, c.number, c.code, ${o.input.title}, ${o.input.description ?? null}, ${o.input.priority}, 'OPEN',
             array(select jsonb_array_elements_text(${labels}::jsonb)), ${o.reporterId}::uuid, 1, ${o.at}::timestamptz, ${o.at}::timestamptz
      from counted c
      returning id
    ), event as (
      insert into outbox (id, aggregatetype, aggregateid, type, partition_key, stream_version, payload, headers)
      select ${event.envelope.eventId}::uuid, 'ticket', ${o.id}, 'ticket.created', c.id::text, c.version,
             ${event.payloadJson}::jsonb || jsonb_build_object('projectId', c.id, 'version', c.version, 'code', c.code),
             ${event.headersJson}::jsonb
      from counted c
    )${o.arms ? sql`, ${o.arms}` : sql``}
    select id as project_id, version, number, code from counted`;
}

export async function createTicket(
  deps: Pick<TicketDeps, 'db' | 'boardCache' | 'wakeRelay'>,
  projectRef: string,
  input: NewTicket,
  reporter: AuthUser,
): Promise<TicketRow> {
  const id = Bun.randomUUIDv7();
  const now = new Date();
  const project = isProjectKey(projectRef) ? sql`p.key = ${projectRef}` : sql`p.id = ${projectRef}::uuid`;
  // A template, not the query builder: this runs on every create (see projects/projectChange.ts);
  // prepared, so it is one round trip (see db/prepared.ts).
  const [row] = await executePrepared<{ project_id: string; version: string; number: number; code: string }>(
    deps.db,
    ticketCreateStatement({ id, at: now.toISOString(), input, reporterId: reporter.id, project }),
  );
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
