/**
 * @module The outbox relay: one active per database (advisory lock), woken by LISTEN/NOTIFY with a
 * polling fallback, publishes unpublished rows in `seq` order, marks them, and prunes old ones.
 *
 * Delivery is at least once, never exactly once: a crash between the broker's acknowledgement and
 * the commit that marks the rows publishes them again, with the same `eventId`, and every consumer
 * deduplicates by it (`recordOnce`, kit/inbox).
 */
import type postgres from 'postgres';
import type { EventBus } from '../bus/port.ts';
import type { MetricsRegistry } from '../metrics/index.ts';
import type { Logger } from '../log/index.ts';
import { OUTBOX_CHANNEL } from './append.ts';
import { DeadlineExceeded, LeaderSession, withDeadline } from './leaderSession.ts';

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
  /** Deadline of each database wait (the lock, the probe, a batch's queries); past it the session is replaced. */
  timeoutMs?: number;
  /** Deadline of one publication to the broker (its client retries within it). */
  publishTimeoutMs?: number;
  /**
   * The watchdog restarts a loop that has not turned for this long, or a leader that published
   * nothing this long while older events wait. Above `timeoutMs + publishTimeoutMs` (one batch).
   */
  stallMs?: number;
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
  /** Bumped by each (re)start of the loop: an abandoned loop finds it changed and ends. */
  private generation = 0;
  private wake: (() => void) | null = null;
  private pending = false;
  private session: LeaderSession | null = null;
  private lastPrune = 0;
  private failing = false;
  /** When the loop last finished a turn, and when it last published (or found nothing waiting). */
  private heartbeatAt = Date.now();
  private progressAt = Date.now();
  private watchdog: ReturnType<typeof setInterval> | null = null;
  private watching = false;
  readonly stats = { published: 0, batches: 0, failures: 0, lastLagMs: 0, restarts: 0 };

  constructor(private opts: RelayOptions) {
    const m = opts.metrics;
    // Labelled by relay: in the all-in-one process every service's relay reports under one name.
    const labels = { relay: opts.name };
    if (m) {
      m.gauge('outbox_backlog', 'Outbox rows not yet published', () => this.backlog(), labels);
      m.gauge('outbox_published_total', 'Events the relay published since start', () => this.stats.published, labels);
      m.gauge('outbox_relay_lag_seconds', 'Age of the newest event at publication', () => this.stats.lastLagMs / 1000, labels);
      m.gauge('outbox_relay_batches_total', 'Batches the relay published since start', () => this.stats.batches, labels);
      m.gauge('outbox_relay_leader', '1 when this process holds the relay lock', () => (this.isLeader ? 1 : 0), labels);
      m.gauge('outbox_relay_restarts_total', 'Times the watchdog restarted a stalled relay', () => this.stats.restarts, labels);
    }
  }

  private get timeoutMs() {
    return this.opts.timeoutMs ?? 5000;
  }

  get isLeader() {
    return this.session?.leader === true;
  }

  /** For `/health`: throws while publishing fails (the broker is away); writes still succeed then. */
  async check() {
    if (this.failing) throw new Error(`cannot publish (${this.stats.failures} failed attempts); events wait in the outbox`);
  }

  start() {
    if (this.running) return;
    this.running = true;
    this.heartbeatAt = this.progressAt = Date.now();
    this.loop = this.run(++this.generation);
    const stallMs = this.opts.stallMs ?? 45_000;
    this.watchdog = setInterval(() => void this.watch(stallMs), Math.max(100, Math.min(stallMs / 4, 5000)));
  }

  async stop() {
    this.running = false;
    if (this.watchdog) clearInterval(this.watchdog);
    this.watchdog = null;
    this.wake?.();
    // Every wait in the loop has a deadline, so this ends; the bound covers one abandoned by the watchdog.
    await withDeadline(this.loop ?? Promise.resolve(), this.timeoutMs + (this.opts.publishTimeoutMs ?? 30_000), 'the relay loop').catch(() => {});
    await this.session?.end();
    this.session = null;
  }

  /** Resolves once nothing is left to publish (tests and graceful shutdown). */
  async drained(timeoutMs = 30_000) {
    const until = Date.now() + timeoutMs;
    while (Date.now() < until) {
      if ((await this.backlog().catch(() => -1)) === 0) return;
      this.poke();
      await Bun.sleep(50);
    }
    throw new Error('outbox not drained in time');
  }

  poke() {
    this.pending = true;
    this.wake?.();
  }

  private async backlog(olderThanMs = 0): Promise<number> {
    const cutoff = new Date(Date.now() - olderThanMs).toISOString();
    const [r] = await withDeadline(
      this.opts.sql`select count(*)::int as n from outbox where published_at is null and created_at <= ${cutoff}::timestamptz`,
      this.timeoutMs,
      'counting the backlog',
    );
    return r?.n ?? 0;
  }

  private async run(generation: number) {
    const { logger, pollMs = 1000, batchSize = 500 } = this.opts;
    let backoff = 200;
    const current = () => this.running && generation === this.generation;
    while (current()) {
      this.heartbeatAt = Date.now();
      try {
        const session = (this.session ??= this.newSession());
        if (!session.leader && !(await session.tryLead())) {
          await this.idle(pollMs * 2); // a standby: try again later, the leader may die
          continue;
        }
        if (!current()) break;
        this.pending = false;
        const n = await this.publishBatch(session, batchSize);
        this.heartbeatAt = Date.now();
        await this.pruneIfDue(session);
        if (this.failing) logger.info('outbox relay recovered; publishing again');
        this.failing = false;
        backoff = 200;
        if (n < batchSize && !this.pending) await this.idle(pollMs);
      } catch (err) {
        if (!current()) break;
        this.stats.failures++;
        if (!this.failing) logger.warn('outbox relay cannot publish; will retry', { err });
        this.failing = true;
        // A broker that refuses keeps the session; anything else (a database error, a deadline)
        // starts the next turn on a fresh connection. A database coming back is tried each second.
        const brokerOnly = err instanceof PublishFailed && !(err.cause instanceof DeadlineExceeded);
        if (!brokerOnly) this.dropSession();
        await this.idle(backoff);
        backoff = Math.min(backoff * 2, brokerOnly ? 5000 : 1000);
      }
    }
  }

  private newSession() {
    return new LeaderSession({
      sql: this.opts.sql,
      name: this.opts.name,
      timeoutMs: this.timeoutMs,
      onNotify: () => this.poke(),
      onClose: () => {
        // The lock went with the connection: stop calling ourselves leader now, and re-win it.
        this.dropSession();
        this.poke();
      },
    });
  }

  private dropSession() {
    this.session?.close();
    this.session = null;
  }

  /**
   * Restarts a loop that stopped turning (a wait that outlived every deadline) or a leader that
   * publishes nothing while older events wait (rows it cannot see or lock), on a fresh session.
   * A loop that keeps failing visibly (the broker away) is left to its backoff: a new connection
   * would not help, and its health check already says so.
   */
  private async watch(stallMs: number) {
    if (!this.running || this.watching) return;
    const now = Date.now();
    const stuck = now - this.heartbeatAt > stallMs;
    const stalled = this.isLeader && !this.failing && now - this.progressAt > stallMs;
    if (!stuck && !stalled) return;
    this.watching = true;
    try {
      const waiting = await this.backlog(stallMs).catch(() => null);
      if (waiting === null) return; // the database is away: nothing to judge by
      if (waiting === 0) {
        this.progressAt = Date.now();
        return;
      }
      if (!this.running) return;
      this.stats.restarts++;
      this.opts.logger.warn('outbox relay made no progress with events waiting; restarting it on a fresh connection', {
        relay: this.opts.name,
        waiting,
        sinceMs: now - (stuck ? this.heartbeatAt : this.progressAt),
      });
      this.dropSession();
      this.heartbeatAt = this.progressAt = Date.now();
      this.wake?.();
      this.loop = this.run(++this.generation);
    } finally {
      this.watching = false;
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

  /** One transaction: lock the oldest unpublished rows, publish them in order, mark them. */
  private async publishBatch(session: LeaderSession, limit: number): Promise<number> {
    const publishTimeoutMs = this.opts.publishTimeoutMs ?? 30_000;
    return session.transaction(
      async (tx) => {
        const rows = await tx<Row[]>`
          select seq, type, partition_key, payload, headers, created_at from outbox
          where published_at is null order by seq limit ${limit}
          for update skip locked`;
        if (rows.length === 0) {
          this.stats.lastLagMs = 0; // idle, or the waiting rows are locked elsewhere: the watchdog tells
          return 0;
        }
        const messages = rows.map((r) => ({ topic: r.type, key: r.partition_key, value: JSON.stringify(r.payload), headers: r.headers }));
        await withDeadline(this.opts.bus.publish(messages), publishTimeoutMs, 'publishing to the broker').catch((err) => {
          throw new PublishFailed(err);
        });
        // Acknowledged: from here to the commit, a crash publishes these rows again (same eventIds).
        await tx`update outbox set published_at = now() where seq in ${tx(rows.map((r) => r.seq))}`;
        this.stats.published += rows.length;
        this.stats.batches++;
        this.stats.lastLagMs = Date.now() - new Date(rows.at(-1)!.created_at).getTime();
        this.progressAt = Date.now();
        return rows.length;
      },
      this.timeoutMs + publishTimeoutMs,
      'a relay batch',
    );
  }

  private async pruneIfDue(session: LeaderSession) {
    const { retentionMs = 7 * DAY, pruneEveryMs = 60_000 } = this.opts;
    if (Date.now() - this.lastPrune < pruneEveryMs) return;
    this.lastPrune = Date.now();
    const cutoff = new Date(Date.now() - retentionMs).toISOString();
    const r = await session.transaction(
      (tx) => tx`delete from outbox where published_at is not null and created_at < ${cutoff}::timestamptz`,
      this.timeoutMs * 4,
      'pruning the outbox',
    );
    if (r.count > 0) this.opts.logger.info('pruned published outbox rows', { count: r.count });
  }
}

/** The broker did not acknowledge: the database session is fine and is kept. */
class PublishFailed extends Error {
  constructor(cause: unknown) {
    super(`cannot publish (${(cause as Error)?.message ?? cause})`, { cause });
  }
}
