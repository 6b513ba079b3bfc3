/** @module The `@upstash/redis` (REST) adapter of the cache port, for edge deployments. */
import { Redis } from '@upstash/redis';
import { CacheUnavailable, withDeadline, type Cache } from './port.ts';

export interface UpstashCacheOptions {
  url: string;
  token: string;
  timeoutMs?: number;
}

export function createUpstashCache({ url, token, timeoutMs = 1000 }: UpstashCacheOptions): Cache {
  // Values are opaque strings to us: no JSON round-trip by the client, and one attempt per call.
  const redis = new Redis({ url, token, automaticDeserialization: false, retry: false });
  const run = <T>(what: string, f: () => Promise<T>) =>
    withDeadline(
      f().catch((err: unknown) => {
        throw new CacheUnavailable(`${what}: ${(err as Error).message}`);
      }),
      timeoutMs,
      what,
    );

  return {
    get: (key) => run('GET', () => redis.get<string>(key)),
    set: async (key, value, ttl) => {
      await run('SET', () => redis.set(key, value, { ex: ttl }));
    },
    del: async (...keys) => {
      if (keys.length) await run('DEL', () => redis.del(...keys));
    },
    eval: (script, keys, args) => run('EVAL', () => redis.eval(script, keys, args)),
    ping: async () => {
      await run('PING', () => redis.ping());
    },
    close: () => {},
  };
}
