/**
 * @module The relay's own database session: it holds the advisory lock, LISTENs, and runs the
 * batches, so losing it loses all three together. Every wait on it has a deadline; past it, or on
 * any error, the session is thrown away (its socket closed, so the server rolls back and frees the
 * lock) and the next one starts on a fresh connection.
 *
 * Why not a connection reserved from the pool: postgres.js 3.4.9 strands a `reserve()` queued
 * while the server closes its connection (porsager/postgres#1195), which left the relay waiting
 * forever after about one immediate-mode Postgres stop in six (measured, relay.outage.test.ts).
 * A client of its own, ended on failure, keeps no state from the dead session.
 */
import postgres from 'postgres';
import { advisoryKey } from '../db/index.ts';
import { OUTBOX_CHANNEL } from './append.ts';

export class DeadlineExceeded extends Error {}

/** Rejects after `ms` if `work` has not settled; `work` itself cannot be cancelled, only abandoned. */
export function withDeadline<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new DeadlineExceeded(`${what} took over ${ms} ms`)), ms);
  });
  return Promise.race([work, late]).finally(() => clearTimeout(timer));
}

export interface SessionOptions {
  /** The service's pool: the session copies its connection settings and type parsers. */
  sql: postgres.Sql;
  /** Names the advisory lock. */
  name: string;
  timeoutMs: number;
  onNotify: () => void;
  /** The connection went away: leadership is gone with it. */
  onClose: () => void;
}

export class LeaderSession {
  private closed = false;
  /** This session's backend, as `pid@postmaster start`: a reconnect (a new backend, without the lock) shows as a change. */
  private backend: string | null = null;
  leader = false;
  readonly client: postgres.Sql;
  private readonly key: string;

  constructor(private o: SessionOptions) {
    this.key = advisoryKey(`outbox-relay:${o.name}`).toString();
    this.client = postgres({
      ...(o.sql.options as unknown as postgres.Options<{}>),
      // Its own failure count and type cache: nothing shared with the pool it came from.
      shared: { retries: 0, typeArrayMap: {} },
      max: 1,
      idle_timeout: null,
      max_lifetime: null,
      fetch_types: false,
      connect_timeout: Math.max(1, Math.ceil(o.timeoutMs / 1000)),
      onnotify: (channel: string) => channel === OUTBOX_CHANNEL && o.onNotify(),
      onclose: () => {
        if (!this.closed) o.onClose();
      },
    } as unknown as postgres.Options<{}>);
  }

  get alive() {
    return !this.closed;
  }

  /** Tries the lock (again, on a standby); the leader LISTENs on the same session. */
  async tryLead(): Promise<boolean> {
    const [r] = await this.within(
      this.client`select pg_try_advisory_lock(${this.key}::bigint) as ok, pg_backend_pid() || '@' || pg_postmaster_start_time() as backend`,
      'taking the relay lock',
    );
    if (!r?.ok) return false;
    this.backend = r.backend as string;
    await this.within(this.client.unsafe(`listen "${OUTBOX_CHANNEL}"`), 'LISTEN');
    this.leader = true;
    return true;
  }

  /**
   * One transaction on the lock's session. It first checks that the session is still the one that
   * took the lock: postgres.js reconnects a lost connection silently, and a new backend holds nothing.
   */
  async transaction<T>(work: (tx: postgres.TransactionSql) => Promise<T>, ms: number, what: string): Promise<T> {
    return this.within(
      this.client.begin(async (tx) => {
        const [r] = await tx`select pg_backend_pid() || '@' || pg_postmaster_start_time() as backend`;
        if (r?.backend !== this.backend) throw new Error('the relay lock was lost with its connection');
        return work(tx);
      }) as Promise<T>,
      ms,
      what,
    );
  }

  /** Closes the connection without waiting on it: the server rolls back and frees the lock. */
  close() {
    if (this.closed) return;
    this.closed = true;
    this.leader = false;
    this.client.end({ timeout: 0 }).catch(() => {});
  }

  /** Ends the session in order (a graceful stop): the lock goes with it. */
  async end() {
    if (this.closed) return;
    this.closed = true;
    this.leader = false;
    await withDeadline(this.client.end({ timeout: 1 }), 2000, 'closing the relay session').catch(() => this.client.end({ timeout: 0 }));
  }

  private within<T>(work: Promise<T>, msOrWhat: number | string, what?: string): Promise<T> {
    const ms = typeof msOrWhat === 'number' ? msOrWhat : this.o.timeoutMs;
    return withDeadline(work, ms, what ?? (msOrWhat as string));
  }
}
