/** @module Every few seconds, events that waited longer than ACTOR_WAIT_MS go out without their actor's name. */
import type { NotifyDeps } from '../context.ts';
import { releaseStale } from './eventHandler.ts';

export function startWaitingSweeper(deps: NotifyDeps, waitMs: number): { stop(): Promise<void> } {
  let running: Promise<unknown> | null = null;
  const timer = setInterval(
    () => {
      running ??= releaseStale(deps, waitMs)
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
