/** @module The Bun `RedisClient` adapter of the cache port. */
import { RedisClient } from 'bun';
import { CacheUnavailable, withDeadline, type Cache } from './port.ts';

export interface RedisCacheOptions {
  url: string;
  /** Upper bound for one command; the board falls back to Postgres past it. */
  timeoutMs?: number;
}

export function createRedisCache({ url, timeoutMs = 250 }: RedisCacheOptions): Cache {
  // Without the offline queue a command fails in about a millisecond while Redis is down, instead
  // of waiting (over 8 s measured) for a reconnect: DESIGN.md § Known pitfalls.
  const client = new RedisClient(url, {
    enableOfflineQueue: false,
    connectionTimeout: 1000,
    autoReconnect: true,
    maxRetries: 1_000_000, // keep reconnecting for as long as the process lives
  });
  // With the queue off, commands before the first connect fail too: connect on demand, once at a time.
  let connecting: Promise<void> | null = null;
  const connected = () =>
    client.connected ? Promise.resolve() : (connecting ??= client.connect().finally(() => (connecting = null)));
  connected().catch(() => {}); // warm up; a failure here is retried by the first command
  const run = <T>(what: string, f: () => Promise<T>) =>
    withDeadline(
      connected().then(f).catch((err: unknown) => {
        throw new CacheUnavailable(`${what}: ${(err as Error).message}`);
      }),
      timeoutMs,
      what,
    );

  return {
    get: (key) => run('GET', () => client.get(key)),
    set: async (key, value, ttl) => {
      await run('SET', () => client.send('SET', [key, value, 'EX', String(ttl)]));
    },
    del: async (...keys) => {
      if (keys.length) await run('DEL', () => client.del(...keys));
    },
    eval: (script, keys, args) => run('EVAL', () => client.send('EVAL', [script, String(keys.length), ...keys, ...args])),
    ping: async () => {
      await run('PING', () => client.send('PING', []));
    },
    close: () => client.close(),
  };
}
