/**
 * @module Presence across hub instances: per project a sorted set `presence:{projectId}` whose members
 * are `instance|userId|name`, scored by when they expire. Each instance rewrites its own members on
 * every change and on a heartbeat, so a dead instance's users fall out within the TTL. A change is
 * announced on the board channel (`presence`), and every room re-reads the set and sends a diff.
 */
import type { Cache } from '@syncro/kit/cache';
import type { PresenceUser } from '@syncro/realtime-client/frames';
import { boardChannel } from '../redis/boardLog.ts';

/** The non-event message on `board:{projectId}` that says "presence changed, re-read it". */
export const PRESENCE_CHANGED = 'presence';

const SYNC = `
local now = tonumber(ARGV[1])
local prefix = ARGV[3] .. '|'
for _, m in ipairs(redis.call('ZRANGE', KEYS[1], 0, -1)) do
  if string.sub(m, 1, #prefix) == prefix then redis.call('ZREM', KEYS[1], m) end
end
for i = 5, #ARGV do redis.call('ZADD', KEYS[1], ARGV[2], prefix .. ARGV[i]) end
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
redis.call('PEXPIRE', KEYS[1], ARGV[2] - now)
if ARGV[4] == '1' then redis.call('PUBLISH', KEYS[2], '${PRESENCE_CHANGED}') end
return redis.call('ZRANGEBYSCORE', KEYS[1], now, '+inf')`;

const key = (projectId: string) => `presence:${projectId}`;

export function createPresenceStore(cache: Cache, instanceId: string, ttlMs: number) {
  const parse = (members: string[] | null): PresenceUser[] => {
    const users = new Map<string, PresenceUser>();
    for (const m of members ?? []) {
      const [, userId, ...name] = m.split('|');
      if (userId) users.set(userId, { userId, name: name.join('|') });
    }
    return [...users.values()];
  };
  return {
    /** Writes this instance's users of a project (replacing its earlier ones) and returns everyone present. */
    async sync(projectId: string, local: PresenceUser[], announce: boolean): Promise<PresenceUser[]> {
      const now = Date.now();
      const members = local.map((u) => `${u.userId}|${u.name.replaceAll('|', '/')}`);
      const rows = (await cache.eval(SYNC, [key(projectId), boardChannel(projectId)], [
        String(now), String(now + ttlMs), instanceId, announce ? '1' : '0', ...members,
      ])) as string[] | null;
      return parse(rows);
    },
    async read(projectId: string): Promise<PresenceUser[]> {
      const rows = (await cache.eval(`return redis.call('ZRANGEBYSCORE', KEYS[1], ARGV[1], '+inf')`, [key(projectId)], [String(Date.now())])) as string[] | null;
      return parse(rows);
    },
  };
}

export type PresenceStore = ReturnType<typeof createPresenceStore>;
