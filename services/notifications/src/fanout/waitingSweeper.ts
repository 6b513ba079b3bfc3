/**
 * @module Every few seconds, events that waited longer than ACTOR_WAIT_MS go out without their
 * actor's name; events still waiting after WAITING_MAX_AGE_MS (a ticket or user that never came)
 * are dropped with a warning, so the table cannot grow for ever.
 */
import type { NotifyDeps } from '../context.ts';
import { releaseStale } from './eventHandler.ts';

async function dropExpired(deps: NotifyDeps, maxAgeMs: number) {
  const dropped = await deps.db.$client`
    delete from waiting where created_at < now() - ${maxAgeMs} * interval '1 millisecond' returning event_id, topic, needs`;
  for (const row of dropped) deps.logger.warn('event dropped after waiting too long', { eventId: row.event_id, topic: row.topic, needs: row.needs });
}

export function startWaitingSweeper(deps: NotifyDeps, waitMs: number, maxAgeMs: number): { stop(): Promise<void> } {
  deps.metrics.gauge('notification_events_waiting', 'Events waiting for their ticket, project or user to arrive', async () =>
    Number((await deps.db.$client`select count(*)::int as n from waiting`)[0]!.n),
  );
  let running: Promise<unknown> | null = null;
  const timer = setInterval(
    () => {
      running ??= Promise.all([releaseStale(deps, waitMs), dropExpired(deps, maxAgeMs)])
        .catch((err) => deps.logger.warn('waiting sweep failed', { err }))
        .finally(() => (running = null));
    },
    Math.max(200, Math.min(waitMs / 2, 5000)),
  );
  return {
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}
