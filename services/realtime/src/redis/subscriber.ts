/**
 * @module The hub's dedicated Pub/Sub connection. Bun's RedisClient reconnects after a Redis restart
 * but does not re-subscribe (DESIGN.md § Known pitfalls), so on every reconnect this re-subscribes
 * each live channel (dropping Bun's local listener first, or messages arrive twice) and then tells
 * the hub, whose rooms repair what was published meanwhile from history.
 */
import { RedisClient } from 'bun';
import { withDeadline } from '@syncro/kit/cache';
import { Unavailable } from '@syncro/kit/errors';
import type { Logger } from '@syncro/kit/log';

export interface BoardSubscriber {
  subscribe(channel: string, listener: (message: string) => void): Promise<void>;
  unsubscribe(channel: string): Promise<void>;
  /** SUBSCRIBE again (a channel found deaf). */
  resubscribe(channel: string): Promise<void>;
  /** The connection itself (diagnostics and fault tests). */
  readonly client: RedisClient;
  readonly connected: boolean;
  close(): void;
}

export function createBoardSubscriber(url: string, logger: Logger, onReconnect: () => void): BoardSubscriber {
  const listeners = new Map<string, (message: string) => void>();
  // No offline queue: a SUBSCRIBE while Redis is down fails at once (the join says so) instead of
  // waiting, and nothing stale is replayed later; the reconnect handler re-subscribes what is live.
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
    client.connected
      ? Promise.resolve()
      : withDeadline((connecting ??= client.connect().finally(() => (connecting = null))), 2000, 'redis subscriber connect');

  return {
    async subscribe(channel, listener) {
      listeners.set(channel, listener);
      try {
        await connected();
        await client.subscribe(channel, (m) => listener(m));
      } catch (err) {
        listeners.delete(channel);
        throw new Unavailable(`Cannot subscribe to the board right now: ${(err as Error).message}`);
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
