/**
 * @module Work loops: `lanes` loops that each call `work()` until it reports nothing more to do, then
 * sleep until `wake()` (called after a commit that made work) or `pollMs` (a lost wake-up, work that
 * became due by time). The shape every "claim rows with SKIP LOCKED and process them" sender shares.
 */
import type { Logger } from '../log/index.ts';

export interface WorkLoopOptions {
  /** For the log line of a failed round. */
  name: string;
  /** Loops at once (default 1, or as `start()` says); SKIP LOCKED keeps their claims apart. */
  lanes?: number;
  pollMs: number;
  logger: Logger;
  /** One round; true when there may be more work right now (loop again without sleeping). */
  work: () => Promise<boolean>;
}

export class WorkLoops {
  private running = false;
  private loops: Promise<void>[] = [];
  private sleepers = new Set<() => void>();
  /** Bumped by every wake(): a wake-up during a round is not lost to the sleep after it. */
  private woken = 0;

  constructor(private readonly o: WorkLoopOptions) {}

  start(lanes = this.o.lanes ?? 1) {
    if (this.running) return;
    this.running = true;
    this.loops = Array.from({ length: Math.max(1, lanes) }, () => this.run());
  }

  wake() {
    this.woken++;
    for (const wakeUp of this.sleepers) wakeUp();
  }

  /** Lets each loop finish its round, then resolves. */
  async stop() {
    this.running = false;
    this.wake();
    await Promise.all(this.loops);
  }

  private async run() {
    while (this.running) {
      const seen = this.woken;
      let more = false;
      try {
        more = await this.o.work();
      } catch (err) {
        this.o.logger.warn(`${this.o.name} round failed`, { err });
      }
      if (more || !this.running || seen !== this.woken) continue;
      await new Promise<void>((resolve) => {
        const wakeUp = () => {
          clearTimeout(timer);
          this.sleepers.delete(wakeUp);
          resolve();
        };
        const timer = setTimeout(wakeUp, this.o.pollMs);
        this.sleepers.add(wakeUp);
      });
    }
  }
}
