/**
 * @module Where a room reads the events it missed: the `HistorySource` port, the Redis hot window
 * and the Ticket Service's event log as adapters, and `readHistory`, which takes what the hot window
 * has contiguously and the rest from the log.
 *
 * The log is read with a token from `tokenProvider`. Until the Auth Service issues a service
 * credential (client credentials), the room provides the token of one of its own members' sockets.
 */
import type { BoardLog, BoardEvent } from '../redis/boardLog.ts';
import type { TicketsApi } from '../tickets/ticketsApi.ts';

export interface HistoryPage {
  /** Events after the asked version, oldest first, without holes. */
  events: BoardEvent[];
  /** True when the source no longer holds the version right after `after`: the client must refetch. */
  resync: boolean;
  /** The newest version the source knows of (null when it cannot tell). */
  head: number | null;
  hasMore: boolean;
}

export interface HistorySource {
  read(projectId: string, after: number, limit: number): Promise<HistoryPage>;
}

/** Keeps the run of versions after `after` and stops at the first hole. */
export function contiguous(events: BoardEvent[], after: number): BoardEvent[] {
  const out: BoardEvent[] = [];
  let next = after + 1;
  for (const e of events) {
    if (e.version < next) continue;
    if (e.version !== next) break;
    out.push(e);
    next++;
  }
  return out;
}

export const hotWindowHistory = (log: BoardLog): HistorySource => ({
  async read(projectId, after, limit) {
    const events = contiguous(await log.after(projectId, after, limit), after);
    // The window cannot tell a hole from the end: it never asks for a resync, and never says "more".
    return { events, resync: false, head: null, hasMore: false };
  },
});

export const ticketLogHistory = (api: TicketsApi, tokenProvider: () => Promise<string>): HistorySource => ({
  async read(projectId, after, limit) {
    const page = await api.events(projectId, after, limit, await tokenProvider());
    return { events: contiguous(page.events, after), resync: page.resync, head: page.version, hasMore: page.hasMore };
  },
});

export interface HistoryReader {
  /**
   * Every event in (after, until] (until = the log's head when omitted), hot window first, then the
   * log; or `resync` when the log no longer has them.
   */
  read(projectId: string, after: number, until?: number): Promise<{ events: BoardEvent[]; resync: boolean; head: number | null }>;
}

const PAGE = 500;

export function createHistoryReader(hot: HistorySource | null, log: HistorySource): HistoryReader {
  return {
    async read(projectId, after, until) {
      const events: BoardEvent[] = [];
      let at = after;
      let head: number | null = null;
      // The hot window first, page after page while it has a contiguous run (a cache: Redis away
      // means the log answers alone).
      while (hot && (until === undefined || at < until)) {
        const page = await hot.read(projectId, at, until === undefined ? PAGE : Math.min(PAGE, until - at)).catch(() => ({ events: [] }));
        for (const e of page.events) if (until === undefined || e.version <= until) events.push(e);
        const before = at;
        at = events.at(-1)?.version ?? at;
        if (until !== undefined && at >= until) return { events, resync: false, head: until };
        if (at === before || page.events.length < PAGE) break;
      }
      for (;;) {
        const page = await log.read(projectId, at, PAGE);
        if (page.resync) return { events: [], resync: true, head: page.head };
        head = page.head;
        const wanted = page.events.filter((e) => until === undefined || e.version <= until);
        events.push(...wanted);
        at = events.at(-1)?.version ?? at;
        const done = until === undefined ? !page.hasMore : at >= until || !page.hasMore;
        if (done || wanted.length === 0) return { events, resync: false, head };
      }
    },
  };
}
