/**
 * @module The board cache, two levels on the cache port.
 *
 * Redis key `project:tickets:{projectId}` (DESIGN guarantee 5) holds `version\nmemberIds\nboardJson`,
 * so a hit checks membership and returns bytes without Postgres. Every change deletes it after commit.
 *
 * A fence key `project:tickets:{projectId}:fence` holds the newest version any writer announced:
 * invalidation raises it to the new version, and a cached board is stored only if the fence is not
 * above it, which closes the race where a slow reader stores a board older than the last change.
 *
 * The same fence lets each process keep the last board it saw in memory. A copy at version v is
 * served while a fence read that began at most TRUST_MS ago found the fence at v; past REVALIDATE_MS
 * a new fence read starts in the background (one per project at a time, shared by all requests).
 * So a hit answers without waiting on Redis — measured on Bun 1.4, an answer that waits on any I/O
 * costs about three times one that does not — and the price is bounded: a change made through this
 * process drops its copy at once; a change made through another process reaches this one within
 * TRUST_MS. Every board carries its version, and realtime clients resume from that version, so a
 * board a few milliseconds old is still a consistent starting point.
 */
import type { Cache } from '@syncro/kit/cache';
import type { Logger } from '@syncro/kit/log';
import { createFreshReader } from './freshReader.ts';

const BOARD_TTL_S = 3600;
/** Longer than any copy lives, so a missing fence always means "unknown", never "no change". */
const FENCE_TTL_S = 2 * BOARD_TTL_S;
const MEMORY_MAX_AGE_MS = BOARD_TTL_S * 1000;
/** A copy validated longer ago than this is not served before a new fence read answers. */
export const TRUST_MS = 50;
/** A copy validated longer ago than this gets a background fence read. */
const REVALIDATE_MS = 10;
const MEMORY_MAX_PROJECTS = 256;
const RETRY_AFTER_MS = 1000;
/** At most one fence read per project per millisecond, shared by every request waiting for it. */
const FENCE_READ_SPACING_MS = 1;

export const boardKey = (projectId: string) => `project:tickets:${projectId}`;
export const fenceKey = (projectId: string) => `project:tickets:${projectId}:fence`;

const INVALIDATE = `
local fence = tonumber(redis.call('GET', KEYS[2]) or '0')
if tonumber(ARGV[1]) > fence then fence = tonumber(ARGV[1]) end
redis.call('SET', KEYS[2], fence, 'EX', ARGV[2])
redis.call('DEL', KEYS[1])
return 1`;

const WRITE_IF_FRESH = `
local fence = tonumber(redis.call('GET', KEYS[2]) or '0')
if fence > tonumber(ARGV[2]) then return 0 end
redis.call('SET', KEYS[1], ARGV[1], 'EX', ARGV[3])
redis.call('SET', KEYS[2], ARGV[2], 'EX', ARGV[4])
return 1`;

export interface CachedBoard {
  version: number;
  /** Member ids joined by commas: fixed-length UUIDs, so a substring match is exact. */
  members: string;
  body: Uint8Array;
}

export interface BoardCache {
  readonly enabled: boolean;
  /** A board no older than the last invalidation; null on a miss or when the cache cannot answer. */
  read(projectId: string): Promise<CachedBoard | null>;
  write(projectId: string, board: { version: number; members: string[]; body: string }): Promise<void>;
  /** Called after commit by every change to the project. */
  invalidate(projectId: string, version: number): Promise<void>;
}

const encoder = new TextEncoder();

function parseEntry(raw: string): CachedBoard | null {
  const a = raw.indexOf('\n');
  const b = raw.indexOf('\n', a + 1);
  const version = Number(raw.slice(0, a));
  if (a < 0 || b < 0 || !Number.isInteger(version)) return null; // an entry of an older format
  return { version, members: raw.slice(a + 1, b), body: encoder.encode(raw.slice(b + 1)) };
}

/**
 * `now` is the clock the in-memory copy's trust is measured with (milliseconds, monotonic): passed
 * in so a test can place a read inside or outside TRUST_MS instead of racing the real clock.
 */
export function createBoardCache(cache: Cache | null, logger: Logger, now: () => number = () => performance.now()): BoardCache {
  if (!cache) {
    return { enabled: false, read: async () => null, write: async () => {}, invalidate: async () => {} };
  }
  type Copy = CachedBoard & { storedAt: number; validatedAt: number };
  const memory = new Map<string, Copy>();
  /** `validatedAt`: when the read that vouched for it began (`now()`). */
  const remember = (projectId: string, board: CachedBoard, validatedAt: number) => {
    memory.delete(projectId);
    if (memory.size >= MEMORY_MAX_PROJECTS) memory.delete(memory.keys().next().value!);
    memory.set(projectId, { ...board, storedAt: Date.now(), validatedAt });
  };
  const fences = createFreshReader(async (projectId: string) => {
    const raw = await cache.get(fenceKey(projectId));
    return raw === null ? null : Number(raw);
  }, FENCE_READ_SPACING_MS);
  /** True when the fence still vouches for `copy`; refreshes its validation time, or drops it. */
  const validate = async (projectId: string, copy: Copy): Promise<boolean> => {
    const asked = now();
    const fence = await fences.read(projectId);
    if (fence !== null && fence <= copy.version) {
      copy.validatedAt = Math.max(copy.validatedAt, asked);
      return true;
    }
    if (memory.get(projectId) === copy) memory.delete(projectId);
    return false;
  };

  /**
   * One circuit breaker for reads, writes and invalidations. After a failure nothing waits on Redis
   * for RETRY_AFTER_MS; then one caller probes (the others keep skipping until it answers). Without
   * it each write would wait out the command timeout after its commit: a write must never be slower
   * than the database because the cache is gone.
   *
   * An invalidation skipped (or failed) meanwhile is not lost: it is owed, and replayed (raising the
   * fence) before this process reads or stores a board again. Until then this process serves boards
   * from Postgres only, and its in-memory copy is dropped at once. What the breaker cannot cover is
   * another process, or this one dying with a debt: a board stored before the change may stay in
   * Redis until the next change of that project invalidates it, or its TTL (BOARD_TTL_S) runs out.
   * It can never be overwritten by an older one (the fence), and a Redis that restarted lost it anyway.
   */
  const owed = new Map<string, number>();
  let warned = false;
  let failing = false;
  let skipUntil = 0;
  const available = () => {
    const now = Date.now();
    if (now < skipUntil) return false;
    if (failing) skipUntil = now + RETRY_AFTER_MS; // this caller is the probe
    return true;
  };
  const failed = (what: string, err: unknown) => {
    if (!warned) logger.warn(`board cache ${what} failed; serving from Postgres`, { err });
    warned = true;
    failing = true;
    skipUntil = Date.now() + RETRY_AFTER_MS;
  };
  const succeeded = () => {
    warned = false;
    failing = false;
  };
  const invalidateRemote = (projectId: string, version: number) =>
    cache.eval(INVALIDATE, [boardKey(projectId), fenceKey(projectId)], [String(version), String(FENCE_TTL_S)]);
  const settle = async () => {
    for (const [projectId, version] of owed) {
      await invalidateRemote(projectId, version);
      if (owed.get(projectId) === version) owed.delete(projectId);
    }
  };
  const owe = (projectId: string, version: number) => owed.set(projectId, Math.max(version, owed.get(projectId) ?? 0));

  return {
    enabled: true,
    async read(projectId) {
      if (!available()) return null;
      try {
        if (owed.size) await settle();
        const local = memory.get(projectId);
        if (local && Date.now() - local.storedAt < MEMORY_MAX_AGE_MS) {
          const age = now() - local.validatedAt;
          if (age < TRUST_MS) {
            if (age >= REVALIDATE_MS) validate(projectId, local).catch(() => {}); // trust runs out if this fails
            return local;
          }
          if (await validate(projectId, local)) return local;
        }
        const asked = now();
        const raw = await cache.get(boardKey(projectId));
        succeeded();
        const board = raw === null ? null : parseEntry(raw);
        if (board) remember(projectId, board, asked);
        return board;
      } catch (err) {
        failed('read', err);
        return null;
      }
    },
    async write(projectId, { version, members, body }) {
      if (!available()) return;
      const entry = `${version}\n${members.join(',')}\n${body}`;
      const asked = now();
      try {
        if (owed.size) await settle();
        const stored = await cache.eval(
          WRITE_IF_FRESH,
          [boardKey(projectId), fenceKey(projectId)],
          [entry, String(version), String(BOARD_TTL_S), String(FENCE_TTL_S)],
        );
        succeeded();
        if (stored === 1) remember(projectId, { version, members: members.join(','), body: encoder.encode(body) }, asked);
      } catch (err) {
        failed('write', err);
      }
    },
    async invalidate(projectId, version) {
      memory.delete(projectId);
      if (!available()) {
        owe(projectId, version);
        return;
      }
      try {
        if (owed.size) await settle();
        await invalidateRemote(projectId, version);
        succeeded();
      } catch (err) {
        owe(projectId, version);
        failed('invalidation', err);
      }
    },
  };
}
