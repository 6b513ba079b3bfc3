/**
 * @module One event, one transaction: the inbox row (a redelivery stops here), the projection, the
 * notifications it triggers, and the waiting events it completes. After commit: wake the sender and
 * the relay, announce new feed items.
 */
import type { Envelope, Topic } from '@syncro/contracts';
import { recordOnce } from '@syncro/kit/inbox';
import { eq, sql } from 'drizzle-orm';
import type { NotifyDeps, Tx } from '../context.ts';
import * as projector from '../projection/projector.ts';
import { waiting } from '../projection/projection.model.ts';
import { noEffects, type Effects } from './recipientNotifier.ts';
import { TRIGGER_TOPICS, resolveTrigger, type TriggerEvent } from './triggers.ts';

export const CONSUMER = 'notifications';

const isTrigger = (topic: string): topic is TriggerEvent['topic'] => (TRIGGER_TOPICS as readonly string[]).includes(topic);

interface Projected {
  /** Ids this event made known: events waiting on them can run. */
  completes: string[];
  /** Ids the projection change needs first (a change to a ticket not yet created). */
  needs: string[];
}

const done = (completes: string[] = []): Projected => ({ completes, needs: [] });

async function project(tx: Tx, topic: string, e: Envelope<any>): Promise<Projected> {
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

async function park(tx: Tx, topic: string, event: Envelope<any>, needs: string[]) {
  await tx
    .insert(waiting)
    .values({ eventId: event.eventId, topic, event, needs })
    .onConflictDoUpdate({ target: waiting.eventId, set: { needs } });
}

/** The projection change, then the notifications; what either still needs. Safe to run again. */
async function run(deps: NotifyDeps, tx: Tx, topic: string, event: Envelope<any>, effects: Effects, lenient: boolean) {
  const projected = await project(tx, topic, event);
  const needs = isTrigger(topic) ? await resolveTrigger(deps, tx, { topic, event } as TriggerEvent, effects, lenient) : [];
  await release(deps, tx, projected.completes, effects);
  return [...new Set([...projected.needs, ...needs])];
}

/** Re-runs the events waiting on any of `ids`; each leaves `waiting` once it needs nothing more. */
async function release(deps: NotifyDeps, tx: Tx, ids: string[], effects: Effects) {
  if (ids.length === 0) return;
  const rows = await tx
    .select()
    .from(waiting)
    .where(sql`${waiting.needs} && ARRAY[${sql.join(ids.map((id) => sql`${id}`), sql`, `)}]::uuid[]`)
    .orderBy(waiting.createdAt)
    .for('update');
  for (const row of rows) {
    const needs = await run(deps, tx, row.topic, row.event as Envelope<any>, effects, row.lenient);
    if (needs.length === 0) await tx.delete(waiting).where(eq(waiting.eventId, row.eventId));
    else await tx.update(waiting).set({ needs }).where(eq(waiting.eventId, row.eventId));
  }
}

/**
 * Events that have waited longer than `olderThanMs` stop waiting for their actor's name; those that
 * still lack their ticket or recipient keep waiting. Returns how many it looked at.
 */
export async function releaseStale(deps: NotifyDeps, olderThanMs: number, batch = 50): Promise<number> {
  const effects = noEffects();
  const n = await deps.db.transaction(async (tx) => {
    const rows = await tx
      .select()
      .from(waiting)
      .where(sql`${waiting.createdAt} < now() - ${olderThanMs} * interval '1 millisecond' and not ${waiting.lenient}`)
      .orderBy(waiting.createdAt)
      .limit(batch)
      .for('update', { skipLocked: true });
    for (const row of rows) {
      const needs = await run(deps, tx, row.topic, row.event as Envelope<any>, effects, true);
      if (needs.length === 0) await tx.delete(waiting).where(eq(waiting.eventId, row.eventId));
      else await tx.update(waiting).set({ needs, lenient: true }).where(eq(waiting.eventId, row.eventId));
    }
    return rows.length;
  });
  if (effects.outbox) deps.wakeRelay();
  if (effects.pending) deps.wakeSender();
  if (effects.feed.length > 0) deps.announce(effects.feed);
  return n;
}

export async function handleEvent<T extends Topic>(deps: NotifyDeps, topic: T, event: Envelope<T>): Promise<void> {
  const effects = noEffects();
  await deps.db.transaction(async (tx) => {
    if (!(await recordOnce(tx, CONSUMER, event.eventId))) return;
    const needs = await run(deps, tx, topic, event, effects, false);
    if (needs.length > 0) await park(tx, topic, event, needs);
  });
  if (effects.outbox) deps.wakeRelay();
  if (effects.pending) deps.wakeSender();
  if (effects.feed.length > 0) deps.announce(effects.feed);
}
