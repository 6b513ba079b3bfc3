/**
 * @module Fan-out workers: each takes one ready queued event (SKIP LOCKED, oldest first), applies
 * its projection change if that had to wait, resolves its recipients and notifies them, all in one
 * transaction; what is still missing goes back into `needs`. Several run at once. Woken after the
 * consumer's commits; polls as a fallback. A failure (a bug, the database away) is retried with
 * backoff and kept visible in `last_error`.
 */
import { WorkLoops } from '@syncro/kit/worker';
import { eq, inArray, sql } from 'drizzle-orm';
import type { NotifyDeps } from '../context.ts';
import { waiting } from '../projection/projection.model.ts';
import { isTrigger, project } from './eventHandler.ts';
import { noEffects, type Effects } from './recipientNotifier.ts';
import { resolveTrigger, type TriggerEvent } from './triggers.ts';

export interface FanoutOptions {
  concurrency: number;
  pollMs: number;
  /** Events per transaction. */
  batch?: number;
  maxBackoffMs?: number;
}

export class FanoutWorkers {
  private singleUntil = 0;

  private readonly loops: WorkLoops;

  constructor(
    private readonly deps: NotifyDeps,
    private readonly o: FanoutOptions,
  ) {
    this.loops = new WorkLoops({ name: 'fan-out', lanes: o.concurrency, pollMs: o.pollMs, logger: deps.logger, work: () => this.runOne() });
  }

  start() {
    this.loops.start();
  }

  /** Something became ready: every idle worker looks. */
  wake() {
    this.loops.wake();
  }

  async stop() {
    await this.loops.stop();
  }

  /**
   * Up to `batch` ready events in one transaction (fewer round trips per event); false when none
   * was ready. After a failed batch the worker takes one event at a time for a while, so one event
   * that fails is found and backed off alone instead of holding back the others.
   */
  async runOne(): Promise<boolean> {
    const batch = Date.now() < this.singleUntil ? 1 : Math.max(1, this.o.batch ?? 10);
    const effects: Effects = noEffects();
    let claimed: string[] = [];
    try {
      const found = await this.deps.db.transaction(async (tx) => {
        const rows = await tx
          .select()
          .from(waiting)
          .where(sql`cardinality(${waiting.needs}) = 0 and ${waiting.runAfter} <= now()`)
          .orderBy(waiting.createdAt)
          .limit(batch)
          .for('update', { skipLocked: true });
        claimed = rows.map((r) => r.eventId);
        const finished: string[] = [];
        for (const row of rows) {
          const event = row.event as TriggerEvent['event'];
          let projected = row.projected;
          let needs: string[] = [];
          if (!projected) {
            needs = (await project(tx, row.topic, event)).needs;
            projected = needs.length === 0;
          }
          if (projected && isTrigger(row.topic)) {
            needs = await resolveTrigger(this.deps, tx, { topic: row.topic, event } as TriggerEvent, effects, row.lenient);
          }
          if (needs.length === 0) finished.push(row.eventId);
          else await tx.update(waiting).set({ needs: [...new Set(needs)], projected }).where(eq(waiting.eventId, row.eventId));
        }
        if (finished.length > 0) await tx.delete(waiting).where(inArray(waiting.eventId, finished));
        return rows.length > 0;
      });
      if (effects.outbox) this.deps.wakeRelay();
      if (effects.pending) this.deps.wakeSender();
      if (effects.feed.length > 0) this.deps.announce(effects.feed);
      return found;
    } catch (err) {
      if (claimed.length > 1) {
        this.singleUntil = Date.now() + 10_000;
      } else if (claimed.length === 1) {
        const backoff = this.o.maxBackoffMs ?? 30_000;
        await this.deps.db.$client`
          update waiting set attempts = attempts + 1, last_error = ${String((err as Error).message ?? err).slice(0, 1000)},
            run_after = now() + least(${backoff}, 200 * power(2, attempts)) * interval '1 millisecond'
          where event_id = ${claimed[0]!}`.catch(() => {});
      }
      throw err;
    }
  }
}
