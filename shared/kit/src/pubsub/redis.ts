/**
 * @module The pub/sub port on Redis: one dedicated connection. Bun's RedisClient reconnects after a
 * Redis restart but does not re-subscribe (DESIGN.md § Known pitfalls), so on every reconnect this
 * re-subscribes each live channel (dropping Bun's local listener first, or messages arrive twice)
 * and then calls `onReconnect`, for the hub's rooms to repair what was published meanwhile.
 */
import { RedisClient } from 'bun';
import { withDeadline } from '../cache/port.ts';
import { Unavailable } from '../errors/index.ts';
import type { Logger } from '../log/index.ts';
import type { Subscriber } from './port.ts';

export function createRedisSubscriber(url: string, logger: Logger, onReconnect: () => void = () => {}): Subscriber & { readonly client: RedisClient } {
  const listeners = new Map<string, (message: string) => void>();
  // No offline queue: a SUBSCRIBE while Redis is down fails at once instead of waiting.
  const client = new RedisClient(url, { autoReconnect: true, maxRetries: 1_000_000, connectionTimeout: 1000, enableOfflineQueue: false });
  let everConnected = false;
  let closed = false;
  client.onconnect = () => {
    if (!everConnected) {
      everConnected = true;
      return;
    }
    logger.info('redis subscriber reconnected; re-subscribing', { channels: listeners.size });
    void (async () => {
      for (const [channel, listener] of listeners) {
        try {
          await client.unsubscribe(channel);
          await client.subscribe(channel, (m) => listener(m));
        } catch (err) {
          logger.warn('re-subscribe failed', { channel, err });
        }
      }
      onReconnect();
    })();
  };
  client.onclose = (err) => {
    if (!closed) logger.warn('redis subscriber disconnected', { err: err?.message });
  };
  let connecting: Promise<void> | null = null;
  const connected = () =>
    client.connected ? Promise.resolve() : withDeadline((connecting ??= client.connect().finally(() => (connecting = null))), 2000, 'redis subscriber connect');

  return {
    async subscribe(channel, listener) {
      const had = listeners.has(channel);
      listeners.set(channel, listener);
      try {
        await connected();
        if (had) await client.unsubscribe(channel);
        await client.subscribe(channel, (m) => listener(m));
      } catch (err) {
        listeners.delete(channel);
        throw new Unavailable(`Cannot subscribe right now: ${(err as Error).message}`);
      }
    },
    async unsubscribe(channel) {
      if (!listeners.delete(channel)) return;
      if (client.connected) await client.unsubscribe(channel);
    },
    async resubscribe(channel) {
      const listener = listeners.get(channel);
      if (!listener) return;
      await client.unsubscribe(channel);
      await client.subscribe(channel, (m) => listener(m));
    },
    client,
    get connected() {
      return client.connected;
    },
    close() {
      closed = true;
      client.close();
    },
  };
}
