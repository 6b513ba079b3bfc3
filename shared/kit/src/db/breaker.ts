/**
 * @module Knowing that Postgres is down, so callers fail at once instead of each waiting out the
 * pool's reconnect backoff (about 1 s per request measured before this).
 */
import postgres from 'postgres';
import { isUnavailable } from '../errors/index.ts';

export { isUnavailable };


export interface BreakerOptions {
  /** Between probes while open. */
  probeEveryMs?: number;
  /** A probe's connect timeout: a blackholed server must not hold the breaker's decision long. */
  probeTimeoutS?: number;
}

/**
 * Closed until someone reports a connection-class failure (`suspect`); then one `select 1` on the
 * breaker's own connection (not the pool's, whose backoff is what we avoid) decides. Confirmed down,
 * it is open: `open` is true and a probe runs every `probeEveryMs` until one succeeds. It never opens
 * on hearsay, so a healthy database is never refused because something else failed.
 */
export class DbBreaker {
  private state: 'closed' | 'checking' | 'open' = 'closed';
  private timer: ReturnType<typeof setTimeout> | undefined;
  private disposed = false;
  private readonly probeEveryMs: number;
  /**
   * Its own one connection, kept only while probing (it idles out), with no backoff of its own. One
   * client for the breaker's life: ending a client whose connect is being reset left a socket error
   * with no listener (an uncaught ECONNRESET), measured here during a fast shutdown.
   */
  private readonly prober: postgres.Sql;
  openedAt: number | undefined;

  constructor(url: string, opts: BreakerOptions = {}) {
    this.probeEveryMs = opts.probeEveryMs ?? 100;
    this.prober = postgres(url, {
      max: 1,
      connect_timeout: opts.probeTimeoutS ?? 1,
      idle_timeout: 2,
      backoff: () => 0,
      onnotice: () => {},
      connection: { application_name: 'syncro-breaker-probe' },
    });
  }

  get open(): boolean {
    return this.state === 'open';
  }

  /** A query failed; if the failure is a connection-class one, check whether the database is down. */
  suspect(err?: unknown): void {
    if (this.disposed || this.state !== 'closed' || (err !== undefined && !isUnavailable(err))) return;
    this.state = 'checking';
    void this.probe();
  }

  private async probe(): Promise<void> {
    const up = await this.reachable();
    if (this.disposed) return;
    if (up) {
      this.state = 'closed';
      this.openedAt = undefined;
      return;
    }
    if (this.state !== 'open') {
      this.state = 'open';
      this.openedAt = Date.now();
    }
    this.timer = setTimeout(() => void this.probe(), this.probeEveryMs);
  }

  private async reachable(): Promise<boolean> {
    try {
      await this.prober`select 1`;
      return true;
    } catch (err) {
      // Anything but a connection-class failure (a bad password, say) is not an outage to wait out.
      return !isUnavailable(err);
    }
  }

  get isDisposed(): boolean {
    return this.disposed;
  }

  dispose(): void {
    live.delete(this);
    this.disposed = true;
    this.state = 'closed';
    clearTimeout(this.timer);
    void this.prober.end({ timeout: 1 }).catch(() => {});
  }
}

/**
 * Breakers of this process's open databases not yet claimed by a server. `serve()` claims those its
 * services created (they start just before it), so one server never refuses requests because of
 * another's database: several services in one test process, or a test's leftover.
 */
const live = new Set<DbBreaker>();
const claimed = new WeakSet<DbBreaker>();
export const claimBreakers = (): DbBreaker[] => {
  const mine = [...live].filter((b) => !claimed.has(b));
  for (const b of mine) claimed.add(b);
  return mine;
};
export const liveBreakers = (): Iterable<DbBreaker> => live;
export const registerBreaker = (b: DbBreaker) => {
  live.add(b);
  return () => b.dispose();
};
