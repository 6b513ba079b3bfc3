/**
 * @module The pub/sub port: what the realtime hub needs from Redis Pub/Sub, so one process can run
 * without Redis. Publishing is not here: the hub publishes through the cache port (`PUBLISH` alone,
 * or inside the hot-window script, so an event is readable by version before anyone hears of it),
 * and each subscriber adapter hears what its cache adapter publishes.
 */

export interface Subscriber {
  /** Listens on `channel` (one listener per channel); throws `Unavailable` when it cannot now. */
  subscribe(channel: string, listener: (message: string) => void): Promise<void>;
  unsubscribe(channel: string): Promise<void>;
  /** Subscribes again (a channel found deaf); a no-op for a channel not subscribed. */
  resubscribe(channel: string): Promise<void>;
  readonly connected: boolean;
  close(): void;
}
