/**
 * @module The outbox relay: one active per database (advisory lock), woken by LISTEN/NOTIFY with a
 * polling fallback, publishes unpublished rows in `seq` order, marks them, and prunes old ones.
 */
import type postgres from 'postgres';
import type { EventBus } from '../bus/port.ts';
import type { MetricsRegistry } from '../metrics/index.ts';
import type { Logger } from '../log/index.ts';
import { advisoryKey } from '../db/index.ts';
import { OUTBOX_CHANNEL } from './append.ts';

export interface RelayOptions {
  sql: postgres.Sql;
  bus: EventBus;
  logger: Logger;
  /** Names the advisory lock; one relay per database holds it. */
  name: string;
  pollMs?: number;
  batchSize?: number;
  /** How long published rows stay for the event log (`/projects/:id/events`). */
  retentionMs?: number;
  pruneEveryMs?: number;
  metrics?: MetricsRegistry;
}

interface Row {
  seq: string;
  type: string;
  partition_key: string;
  payload: Record<string, unknown>;
  headers: Record<string, string>;
  // drizzle configures postgres.js to leave timestamps as strings
  created_at: string;
}

const DAY = 86_400_000;

export type RelayWaker = () => void;

/**
 * Wakes the relay after a commit that wrote outbox rows. The leader in this process is poked
 * directly; otherwise one NOTIFY, outside any write transaction, covers every commit of the next
 * few milliseconds, so the leader in another replica wakes without each commit paying for it.
 */
export function createRelayWaker(sql: postgres.Sql, local?: OutboxRelay, coalesceMs = 2): RelayWaker {
  let scheduled = false;
  return () => {
    if (local?.isLeader) return local.poke();
    if (scheduled) return;
    scheduled = true;
    setTimeout(() => {
      scheduled = false;
      // A lost NOTIFY only costs latency: the relay's polling picks the rows up.
      sql`select pg_notify(${OUTBOX_CHANNEL}, '')`.catch(() => {});
    }, coalesceMs);
  };
}

export class OutboxRelay {
  private running = false;
  private loop: Promise<void> | null = null;
  private wake: (() => void) | null = null;
  private pending = false;
  private lockConn: postgres.ReservedSql | null = null;
  private unlisten: (() => Promise<void>) | null = null;
  private lastPrune = 0;
  private failing = false;
  readonly stats = { published: 0, batches: 0, failures: 0, lastLagMs: 0 };

  constructor(private opts: RelayOptions) {
    const m = opts.metrics;
    // Labelled by relay: in the all-in-one process every service's relay reports under one name.
    const labels = { relay: opts.name };
    if (m) {
      m.gauge('outbox_backlog', 'Outbox rows not yet published', async () => {
        const [r] = await opts.sql`select count(*)::int as n from outbox where published_at is null`;
        return r?.n ?? 0;
      }, labels);
      m.gauge('outbox_published_total', 'Events the relay published since start', () => this.stats.published, labels);
      m.gauge('outbox_relay_lag_seconds', 'Age of the newest event at publication', () => this.stats.lastLagMs / 1000, labels);
      m.gauge('outbox_relay_batches_total', 'Batches the relay published since start', () => this.stats.batches, labels);
      m.gauge('outbox_relay_leader', '1 when this process holds the relay lock', () => (this.lockConn ? 1 : 0), labels);
    }
  }

  get isLeader() {
    return this.lockConn !== null;
  }

  /** For `/health`: throws while publishing fails (the broker is away); writes still succeed then. */
  async check() {
    if (this.failing) throw new Error(`cannot publish (${this.stats.failures} failed attempts); events wait in the outbox`);
  }

  start() {
    if (this.running) return;
    this.running = true;
    this.loop = this.run();
  }

  async stop() {
    this.running = false;
    this.wake?.();
    await this.loop;
    await this.unlisten?.().catch(() => {});
    this.unlisten = null;
    await this.releaseLock();
  }

  /** Resolves once nothing is left to publish (tests and graceful shutdown). */
  async drained(timeoutMs = 30_000) {
    const until = Date.now() + timeoutMs;
    while (Date.now() < until) {
      const [r] = await this.opts.sql`select count(*)::int as n from outbox where published_at is null`;
      if (r?.n === 0) return;
      this.poke();
      await Bun.sleep(50);
    }
    throw new Error('outbox not drained in time');
  }

  poke() {
    this.pending = true;
    this.wake?.();
  }

  private async run() {
    const { logger, pollMs = 1000, batchSize = 500 } = this.opts;
    let backoff = 200;
    while (this.running) {
      try {
        if (!this.lockConn && !(await this.acquireLock())) {
          await this.idle(pollMs * 2); // a standby: try again later, the leader may die
          continue;
        }
        await this.ensureListening();
        this.pending = false;
        const n = await this.publishBatch(batchSize);
        await this.pruneIfDue();
        if (this.failing) logger.info('outbox relay recovered; publishing again');
        this.failing = false;
        backoff = 200;
        if (n < batchSize && !this.pending) await this.idle(pollMs);
      } catch (err) {
        this.stats.failures++;
        if (!this.failing) logger.warn('outbox relay cannot publish; will retry', { err });
        this.failing = true;
        await this.checkLock();
        await this.idle(backoff);
        backoff = Math.min(backoff * 2, 5000);
      }
    }
  }

  private idle(ms: number) {
    if (this.pending || !this.running) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const t = setTimeout(done, ms);
      function done() {
        clearTimeout(t);
        resolve();
      }
      this.wake = () => {
        this.wake = null;
        done();
      };
    });
  }

  private async ensureListening() {
    if (this.unlisten) return;
    const sub = await this.opts.sql.listen(OUTBOX_CHANNEL, () => this.poke());
    this.unlisten = () => sub.unlisten();
  }

  private async acquireLock(): Promise<boolean> {
    const conn = await this.opts.sql.reserve();
    const key = advisoryKey(`outbox-relay:${this.opts.name}`).toString();
    const [r] = await conn`select pg_try_advisory_lock(${key}::bigint) as ok`;
    if (r?.ok) {
      this.lockConn = conn;
      this.opts.logger.info('outbox relay is the leader', { relay: this.opts.name });
      return true;
    }
    conn.release();
    return false;
  }

  /** A lock lives on its session: if that connection died, leadership is gone and must be re-won. */
  private async checkLock() {
    if (!this.lockConn) return;
    try {
      await this.lockConn`select 1`;
    } catch {
      // Not released: the pool already moved the dead connection to its closed set, where it is
      // reconnected on demand; releasing it would hand the dead session to the next query (measured).
      this.lockConn = null;
    }
  }

  private async releaseLock() {
    const conn = this.lockConn;
    this.lockConn = null;
    if (!conn) return;
    const key = advisoryKey(`outbox-relay:${this.opts.name}`).toString();
    await conn`select pg_advisory_unlock(${key}::bigint)`.catch(() => {});
    conn.release();
  }

  /** One transaction: lock the oldest unpublished rows, publish them in order, mark them. */
  private async publishBatch(limit: number): Promise<number> {
    return this.opts.sql.begin(async (tx) => {
      const rows = await tx<Row[]>`
        select seq, type, partition_key, payload, headers, created_at from outbox
        where published_at is null order by seq limit ${limit}
        for update skip locked`;
      if (rows.length === 0) {
        this.stats.lastLagMs = 0; // idle: nothing is waiting
        return 0;
      }
      await this.opts.bus.publish(
        rows.map((r) => ({ topic: r.type, key: r.partition_key, value: JSON.stringify(r.payload), headers: r.headers })),
      );
      await tx`update outbox set published_at = now() where seq in ${tx(rows.map((r) => r.seq))}`;
      this.stats.published += rows.length;
      this.stats.batches++;
      this.stats.lastLagMs = Date.now() - new Date(rows.at(-1)!.created_at).getTime();
      return rows.length;
    }) as Promise<number>;
  }

  private async pruneIfDue() {
    const { retentionMs = 7 * DAY, pruneEveryMs = 60_000 } = this.opts;
    if (Date.now() - this.lastPrune < pruneEveryMs) return;
    this.lastPrune = Date.now();
    const cutoff = new Date(Date.now() - retentionMs).toISOString();
    const r = await this.opts.sql`delete from outbox where published_at is not null and created_at < ${cutoff}::timestamptz`;
    if (r.count > 0) this.opts.logger.info('pruned published outbox rows', { count: r.count });
  }
}
