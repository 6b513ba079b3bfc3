/**
 * @module The consumer's side. A partition is consumed one message at a time, so each message costs
 * as few round trips as can be: most events are recorded in the inbox and queued for the fan-out
 * workers in ONE statement (the workers apply their projection change, which is order-free: newest
 * version or assignment wins, inserts are idempotent). Creations and comments are applied here, in a
 * transaction with the inbox row (see APPLIED_HERE).
 */
import type { Envelope, Topic } from '@syncro/contracts';
import { recordOnce } from '@syncro/kit/inbox';
import { sql } from 'drizzle-orm';
import type { NotifyDeps, Tx } from '../context.ts';
import * as projector from '../projection/projector.ts';
import { waiting } from '../projection/projection.model.ts';
import { TRIGGER_TOPICS, type TriggerEvent } from './triggers.ts';

export const CONSUMER = 'notifications';

export const isTrigger = (topic: string): topic is TriggerEvent['topic'] => (TRIGGER_TOPICS as readonly string[]).includes(topic);

interface Projected {
  /** Ids this event made known: events waiting on them can run. */
  completes: string[];
  /** Ids the projection change needs first (a change to a ticket not yet created). */
  needs: string[];
}

const done = (completes: string[] = []): Projected => ({ completes, needs: [] });

/** Applies the event to the projection; safe to run again (newest version wins, inserts are idempotent). */
export async function project(tx: Tx, topic: string, e: Envelope<any>): Promise<Projected> {
  switch (topic) {
    case 'user.created':
      return done(await projector.userCreated(tx, e));
    case 'user.updated':
      return { completes: [], needs: await projector.userUpdated(tx, e) };
    case 'project.created':
      return done(await projector.projectCreated(tx, e));
    case 'project.member.added':
      await projector.memberAdded(tx, e);
      return done();
    case 'project.member.removed':
      await projector.memberRemoved(tx, e);
      return done();
    case 'ticket.created':
      return done(await projector.ticketCreated(tx, e));
    case 'ticket.updated':
      return { completes: [], needs: await projector.ticketUpdated(tx, e) };
    case 'ticket.assigned':
      return { completes: [], needs: await projector.ticketAssigned(tx, e) };
    case 'ticket.commented':
      await projector.ticketCommented(tx, e);
      return done();
    default:
      return done();
  }
}

/** Removes `ids` from every queued event's needs; true when one became ready. */
async function release(tx: Tx, ids: string[]): Promise<boolean> {
  if (ids.length === 0) return false;
  const list = sql`ARRAY[${sql.join(ids.map((id) => sql`${id}`), sql`, `)}]::uuid[]`;
  const rows = await tx.execute<{ ready: boolean }>(sql`
    update ${waiting} set needs = coalesce((select array_agg(n) from unnest(needs) n where n <> all(${list})), '{}')
    where needs && ${list}
    returning cardinality(needs) = 0 as ready`);
  return rows.some((r) => r.ready);
}

/**
 * Applied here, in order: creations make queued events ready; a comment must be in the projection
 * before the next comment of its ticket (same partition) is fanned out, or its author would miss
 * that one as an "earlier commenter".
 */
const APPLIED_HERE: ReadonlySet<string> = new Set(['user.created', 'project.created', 'ticket.created', 'ticket.commented']);

export async function handleEvent<T extends Topic>(deps: NotifyDeps, topic: T, event: Envelope<T>): Promise<void> {
  if (!APPLIED_HERE.has(topic)) {
    // A redelivery finds its inbox row, so nothing is queued twice.
    const queued = await deps.db.execute(sql`
      with fresh as (insert into inbox (consumer, event_id) values (${CONSUMER}, ${event.eventId}) on conflict do nothing returning 1)
      insert into ${waiting} (event_id, topic, event, needs, projected)
      select ${event.eventId}, ${topic}, ${JSON.stringify(event)}::jsonb, '{}', false from fresh
      on conflict do nothing
      returning 1`);
    if (queued.length > 0) deps.wakeFanout();
    return;
  }
  let ready = false;
  await deps.db.transaction(async (tx) => {
    if (!(await recordOnce(tx, CONSUMER, event.eventId))) return;
    const projected = await project(tx, topic, event);
    if (isTrigger(topic) || projected.needs.length > 0) {
      await tx
        .insert(waiting)
        .values({ eventId: event.eventId, topic, event, needs: projected.needs, projected: projected.needs.length === 0 })
        .onConflictDoNothing();
      ready = projected.needs.length === 0;
    }
    if (await release(tx, projected.completes)) ready = true;
  });
  if (ready) deps.wakeFanout();
}
