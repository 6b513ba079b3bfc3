/**
 * @module Adds a comment (or a reply in a thread) to a ticket in ONE statement, like a create
 * (tickets/ticketCreator.ts): the membership check, the parent check, the project UPDATE (lock,
 * version), the comment INSERT and the `ticket.commented` outbox INSERT are one data-modifying CTE,
 * autocommitted. A comment changes no ticket field, so the ticket row is not locked; a ticket deleted
 * meanwhile (its delete holds the project lock first) fails the comment's foreign key: 404.
 */
import type { AuthUser } from '@syncro/kit/auth';
import { InvalidField, NotFound } from '@syncro/kit/errors';
import { TICKET_CODE_PATTERN } from '@syncro/contracts';
import { sql } from 'drizzle-orm';
import type { TicketDeps } from '../context.ts';
import { executePrepared } from '../db/prepared.ts';
import { prepareEvent } from '../events/outboxEvent.ts';
import { hasCode } from '../projects/projectCreator.ts';
import type { CommentRow } from './comments.model.ts';

/** Valid placeholders for what only the statement knows; the SQL overwrites them (see events/outboxEvent.ts). */
const SOME_ID = '00000000-0000-4000-8000-000000000000';
const SOME_CODE = 'AA-1';

export async function addComment(
  deps: Pick<TicketDeps, 'db' | 'boardCache' | 'wakeRelay'>,
  ticketRef: string,
  input: { content: string; parentId?: string | null },
  author: AuthUser,
): Promise<CommentRow> {
  const id = Bun.randomUUIDv7();
  const parentId = input.parentId ?? null;
  const event = prepareEvent('ticket.commented', {
    ticketId: SOME_ID,
    projectId: SOME_ID,
    commentId: id,
    authorId: author.id,
    content: input.content,
    version: 1,
    code: SOME_CODE,
    parentId,
  });
  const ticket = TICKET_CODE_PATTERN.test(ticketRef) ? sql`t.code = ${ticketRef}` : sql`t.id = ${ticketRef}::uuid`;
  let rows: { ticket_id: string; project_id: string; version: string | null; created_at: Date | string | null }[];
  try {
    rows = await executePrepared(deps.db, sql`
      with target as (
        select t.id, t.project_id, t.code from tickets t
        join project_members m on m.project_id = t.project_id and m.user_id = ${author.id}::uuid
        where ${ticket}
      ), allowed as (
        select t.* from target t
        where ${parentId}::uuid is null
           or exists (select 1 from comments c where c.id = ${parentId}::uuid and c.ticket_id = t.id)
      ), counted as (
        update projects set version = version + 1
        where id = (select project_id from allowed)
        returning id, version
      ), comment as (
        insert into comments (id, ticket_id, parent_id, author_id, content)
        select ${id}::uuid, a.id, ${parentId}::uuid, ${author.id}::uuid, ${input.content} from allowed a, counted
        returning created_at
      ), event as (
        insert into outbox (id, aggregatetype, aggregateid, type, partition_key, stream_version, payload, headers)
        select ${event.envelope.eventId}::uuid, 'ticket', a.id::text, 'ticket.commented', c.id::text, c.version,
               ${event.payloadJson}::jsonb || jsonb_build_object('ticketId', a.id, 'projectId', c.id, 'version', c.version, 'code', a.code),
               ${event.headersJson}::jsonb
        from allowed a, counted c
      )
      select t.id as ticket_id, t.project_id, (select version from counted) as version, (select created_at from comment) as created_at
      from target t`);
  } catch (err) {
    if (hasCode(err, '23503')) throw new NotFound(`Ticket ${ticketRef}`); // deleted while we commented
    throw err;
  }
  const [row] = rows;
  if (!row) throw new NotFound(`Ticket ${ticketRef}`);
  if (row.version === null) throw new InvalidField('parentId', 'must be a comment on this ticket');
  deps.wakeRelay();
  await deps.boardCache.invalidate(row.project_id, Number(row.version));
  return { id, ticketId: row.ticket_id, parentId, authorId: author.id, content: input.content, createdAt: new Date(row.created_at!) };
}
