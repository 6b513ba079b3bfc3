/** @module What every route, command and handler of the Notification Service is given: passed in, never global. */
import type { TokenVerifier } from '@syncro/kit/auth';
import type { Db } from '@syncro/kit/db';
import type { MetricsRegistry } from '@syncro/kit/http';
import type { Logger } from '@syncro/kit/log';
import type { NotifyConfig } from './config.ts';
import type * as schema from './db/schema.ts';

export type NotifyDb = Db<typeof schema>;
export type Tx = Parameters<Parameters<NotifyDb['transaction']>[0]>[0];

/** notification.created fields, published to `user:{userId}` for the realtime hub. */
export interface FeedItem {
  notificationId: string;
  userId: string;
  kind: string;
  title: string;
  ticketId?: string;
  projectId?: string;
}

export interface NotifyDeps {
  db: NotifyDb;
  config: NotifyConfig;
  verify: TokenVerifier;
  logger: Logger;
  metrics: MetricsRegistry;
  /** After a commit that wrote outbox rows. */
  wakeRelay: () => void;
  /** After a commit that queued events ready for fan-out. */
  wakeFanout: () => void;
  /** After a commit that wrote pending deliveries. */
  wakeSender: () => void;
  /** After a commit that added feed items: best effort to the user's open sockets (the feed has them anyway). */
  announce: (items: FeedItem[]) => void;
  now: () => Date;
}
