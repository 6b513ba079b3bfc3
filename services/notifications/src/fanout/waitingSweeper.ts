/**
 * @module Every few seconds, over the fan-out queue:
 * - events that waited longer than ACTOR_WAIT_MS stop waiting for their actor's name ("Someone");
 * - events whose needs all exist by now are made ready: the consumer removes an id from `needs` as
 *   it commits the row that brings it, but a worker that found the id missing a moment before may
 *   commit its `needs` just after, and this catches that;
 * - events still waiting after WAITING_MAX_AGE_MS (a ticket or user that never came) are dropped
 *   with a warning, so the queue cannot grow for ever.
 */
import type { NotifyDeps } from '../context.ts';

export async function sweepWaiting(deps: NotifyDeps, actorWaitMs: number, maxAgeMs: number): Promise<number> {
  const sql = deps.db.$client;
  const dropped = await sql`
    delete from waiting where created_at < now() - ${maxAgeMs} * interval '1 millisecond' returning event_id, topic, needs`;
  for (const row of dropped) deps.logger.warn('event dropped after waiting too long', { eventId: row.event_id, topic: row.topic, needs: row.needs });
  const ready = await sql`
    update waiting w set needs = '{}', lenient = lenient or created_at < now() - ${actorWaitMs} * interval '1 millisecond'
    where cardinality(needs) > 0 and (
      (not lenient and created_at < now() - ${actorWaitMs} * interval '1 millisecond')
      or not exists (
        select 1 from unnest(w.needs) n
        where not exists (select 1 from users where id = n)
          and not exists (select 1 from tickets where id = n)
          and not exists (select 1 from projects where id = n and name is not null)))
    returning event_id`;
  if (ready.length > 0) deps.wakeFanout();
  return ready.length;
}

export function startWaitingSweeper(deps: NotifyDeps, actorWaitMs: number, maxAgeMs: number): { stop(): Promise<void> } {
  deps.metrics.gauge('notification_events_waiting', 'Queued events waiting for their ticket, project or user to arrive', async () =>
    Number((await deps.db.$client`select count(*)::int as n from waiting where cardinality(needs) > 0`)[0]!.n),
  );
  deps.metrics.gauge('notification_fanout_queue_depth', 'Queued events ready for the fan-out workers', async () =>
    Number((await deps.db.$client`select count(*)::int as n from waiting where cardinality(needs) = 0`)[0]!.n),
  );
  let running: Promise<unknown> | null = null;
  const timer = setInterval(
    () => {
      running ??= sweepWaiting(deps, actorWaitMs, maxAgeMs)
        .catch((err) => deps.logger.warn('waiting sweep failed', { err }))
        .finally(() => (running = null));
    },
    Math.max(200, Math.min(actorWaitMs / 2, 2000)),
  );
  return {
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}
