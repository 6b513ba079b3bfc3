/**
 * @module New in-app notifications to the realtime hub: PUBLISH on `user:{userId}` (the JSON of the
 * notification.created fields). Best effort: the feed has them and `notification.created` is in
 * the outbox, so a Redis outage loses no notification, only its instant delivery.
 */
import type { MemoryPubSub } from '@syncro/kit/cache';
import type { Logger } from '@syncro/kit/log';
import { RedisClient } from 'bun';
import type { FeedItem } from './context.ts';

export interface Announcer {
  announce(items: FeedItem[]): void;
  close(): void;
}

export const userChannel = (userId: string) => `user:${userId}`;

/** On Redis, or on the process's own pub/sub (all-in-one embedded default), which it does not close. */
export function createAnnouncer(url: string | MemoryPubSub, logger: Logger): Announcer {
  if (typeof url !== 'string') {
    const pubsub = url;
    return { announce: (items) => items.forEach((item) => pubsub.publish(userChannel(item.userId), JSON.stringify(item))), close: () => {} };
  }
  // No offline queue: with Redis down a PUBLISH fails at once instead of piling up.
  const redis = new RedisClient(url, { enableOfflineQueue: false, autoReconnect: true, connectionTimeout: 1000 });
  return {
    announce(items) {
      for (const item of items) {
        redis.publish(userChannel(item.userId), JSON.stringify(item)).catch((err) => logger.debug('notification not announced', { err: String(err) }));
      }
    },
    close: () => redis.close(),
  };
}
