/**
 * @module The hot window: each board event is added to a capped sorted set `board:{projectId}:log`
 * (score = project version) and published on `board:{projectId}` by one Lua script, so anything
 * published before a room's SUBSCRIBE is already readable by version. A sorted set, not a Stream:
 * events of one project reach the bridge out of version order (several topics), and a Stream's
 * ids must grow. A version already present is neither added nor published again (idempotent).
 */
import type { Cache } from '@syncro/kit/cache';

export interface BoardEvent {
  topic: string;
  version: number;
  /** The event's payload as on the wire (the contract's fields plus eventId and timestamp). */
  data: Record<string, unknown>;
}

export const boardChannel = (projectId: string) => `board:${projectId}`;
export const boardLogKey = (projectId: string) => `board:${projectId}:log`;

const APPEND = `
local v = tonumber(ARGV[1])
if #redis.call('ZRANGEBYSCORE', KEYS[1], v, v, 'LIMIT', 0, 1) > 0 then return 0 end
redis.call('ZADD', KEYS[1], v, ARGV[2])
local cap = tonumber(ARGV[3])
local n = redis.call('ZCARD', KEYS[1])
if n > cap then redis.call('ZREMRANGEBYRANK', KEYS[1], 0, n - cap - 1) end
redis.call('EXPIRE', KEYS[1], ARGV[4])
redis.call('PUBLISH', KEYS[2], ARGV[2])
return 1`;

export interface BoardLogOptions {
  /** Events kept per project. */
  cap: number;
  /** Seconds an idle project's window is kept. */
  ttlSeconds: number;
}

export function createBoardLog(cache: Cache, { cap, ttlSeconds }: BoardLogOptions) {
  return {
    /** True when the event was new (added and published), false when the window already had its version. */
    async append(projectId: string, event: BoardEvent): Promise<boolean> {
      const added = await cache.eval(APPEND, [boardLogKey(projectId), boardChannel(projectId)], [
        String(event.version),
        JSON.stringify(event),
        String(cap),
        String(ttlSeconds),
      ]);
      return Number(added) === 1;
    },
    /** Events after `after`, oldest first, at most `limit`; possibly with holes (the caller checks). */
    async after(projectId: string, after: number, limit: number): Promise<BoardEvent[]> {
      const rows = (await cache.eval(
        `return redis.call('ZRANGEBYSCORE', KEYS[1], '(' .. ARGV[1], '+inf', 'LIMIT', 0, ARGV[2])`,
        [boardLogKey(projectId)],
        [String(after), String(limit)],
      )) as string[] | null;
      return (rows ?? []).map((r) => JSON.parse(r) as BoardEvent);
    },
  };
}

export type BoardLog = ReturnType<typeof createBoardLog>;

export const parseBoardEvent = (message: string): BoardEvent | null => {
  try {
    const e = JSON.parse(message) as BoardEvent;
    return typeof e.version === 'number' && typeof e.topic === 'string' && e.data && typeof e.data === 'object' ? e : null;
  } catch {
    return null;
  }
};
