/**
 * @module The board cache on the cache port. Key `project:tickets:{projectId}` (DESIGN guarantee 5)
 * holds `memberIds\nboardJson`, so a hit checks membership and returns bytes without Postgres.
 *
 * A fence key closes the classic race where a slow reader computes version v, a writer commits
 * v+1 and deletes the key, and the reader then stores the stale v: invalidation raises the fence
 * to v+1, and a write below the fence is dropped.
 */
import type { Cache } from '@syncro/kit/cache';
import type { Logger } from '@syncro/kit/log';

const BOARD_TTL_S = 3600;
const RETRY_AFTER_MS = 1000;
const FENCE_TTL_S = 2 * BOARD_TTL_S;

export const boardKey = (projectId: string) => `project:tickets:${projectId}`;
const fenceKey = (projectId: string) => `project:tickets:${projectId}:fence`;

const INVALIDATE = `
local fence = tonumber(redis.call('GET', KEYS[2]) or '0')
if tonumber(ARGV[1]) > fence then redis.call('SET', KEYS[2], ARGV[1], 'EX', ARGV[2]) end
redis.call('DEL', KEYS[1])
return 1`;

const WRITE_IF_FRESH = `
local fence = tonumber(redis.call('GET', KEYS[2]) or '0')
if fence > tonumber(ARGV[2]) then return 0 end
redis.call('SET', KEYS[1], ARGV[1], 'EX', ARGV[3])
return 1`;

export interface BoardCache {
  /** The cached entry, or null on a miss or when the cache cannot answer (never throws). */
  read(projectId: string): Promise<string | null>;
  write(projectId: string, entry: string, version: number): Promise<void>;
  /** Called after commit by every change to the project. */
  invalidate(projectId: string, version: number): Promise<void>;
  readonly enabled: boolean;
}

export function createBoardCache(cache: Cache | null, logger: Logger): BoardCache {
  if (!cache) {
    return { read: async () => null, write: async () => {}, invalidate: async () => {}, enabled: false };
  }
  // Invalidations that failed while Redis was away; replayed before the cache is trusted again.
  const owed = new Map<string, number>();
  let warned = false;
  // After a failure, skip the cache for a moment: each request would otherwise pay the timeout.
  let skipUntil = 0;
  const failed = (what: string, err: unknown) => {
    if (!warned) logger.warn(`board cache ${what} failed; serving from Postgres`, { err });
    warned = true;
    skipUntil = Date.now() + RETRY_AFTER_MS;
  };
  const skipping = () => Date.now() < skipUntil;
  const settle = async () => {
    for (const [projectId, version] of owed) {
      await cache.eval(INVALIDATE, [boardKey(projectId), fenceKey(projectId)], [String(version), String(FENCE_TTL_S)]);
      owed.delete(projectId);
    }
  };

  return {
    enabled: true,
    async read(projectId) {
      if (skipping()) return null;
      try {
        if (owed.size) await settle();
        const value = await cache.get(boardKey(projectId));
        warned = false;
        return value;
      } catch (err) {
        failed('read', err);
        return null;
      }
    },
    async write(projectId, entry, version) {
      if (skipping()) return;
      try {
        if (owed.size) await settle();
        await cache.eval(WRITE_IF_FRESH, [boardKey(projectId), fenceKey(projectId)], [entry, String(version), String(BOARD_TTL_S)]);
      } catch (err) {
        failed('write', err);
      }
    },
    async invalidate(projectId, version) {
      try {
        await cache.eval(INVALIDATE, [boardKey(projectId), fenceKey(projectId)], [String(version), String(FENCE_TTL_S)]);
      } catch (err) {
        owed.set(projectId, Math.max(version, owed.get(projectId) ?? 0));
        failed('invalidation', err);
      }
    },
  };
}
