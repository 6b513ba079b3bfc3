/**
 * @module The pub/sub port in this process: channels of the in-process cache's `PUBLISH`
 * (`createMemoryCache().pubsub`). It never disconnects, so the hub's repair-on-reconnect never runs.
 */
import type { MemoryPubSub } from '../cache/memory.ts';
import type { Subscriber } from './port.ts';

export function createMemorySubscriber(pubsub: MemoryPubSub): Subscriber {
  const live = new Map<string, { listener: (message: string) => void; off: () => void }>();
  let closed = false;
  const add = (channel: string, listener: (message: string) => void) => live.set(channel, { listener, off: pubsub.subscribe(channel, listener) });
  return {
    async subscribe(channel, listener) {
      if (closed) throw new Error('subscriber is closed');
      live.get(channel)?.off();
      add(channel, listener);
    },
    async unsubscribe(channel) {
      live.get(channel)?.off();
      live.delete(channel);
    },
    async resubscribe(channel) {
      const s = live.get(channel);
      if (!s) return;
      s.off();
      add(channel, s.listener);
    },
    get connected() {
      return !closed;
    },
    close() {
      closed = true;
      for (const s of live.values()) s.off();
      live.clear();
    },
  };
}
