/**
 * @module The bridge: a Kafka consumer group (`realtime-bridge`) on the board topics that appends
 * each event to its project's hot window and publishes it on `board:{projectId}` (one Lua script).
 * Redis away: the event is retried for a while, then skipped with a warning, not dead-lettered:
 * rooms repair from the Ticket Service's log when their subscriber reconnects, and the hot window
 * is only a cache in front of that log.
 *
 * With `notifications` it also carries `notification.created` to `user:{userId}` (a plain PUBLISH:
 * notifications are not versioned or replayed; the hubs forward them to that user's sockets).
 */
import type { Topic } from '@syncro/contracts';
import { startConsumerInBackground, type BackgroundConsumer, type ConsumerSettings, type EventBus, type Handlers } from '@syncro/kit/bus';
import type { MetricsRegistry } from '@syncro/kit/http';
import type { Logger } from '@syncro/kit/log';
import type { BoardLog } from '../redis/boardLog.ts';
import { BOARD_TOPICS } from '../rooms/boardFrames.ts';
import { userChannel } from '../rooms/userChannels.ts';

export interface BridgeOptions extends ConsumerSettings {
  bus: EventBus;
  boardLog: BoardLog;
  logger: Logger;
  metrics: MetricsRegistry;
  /** How long one event waits for Redis before it is skipped (ms); below the group's session timeout. */
  redisWaitMs?: number;
  /** PUBLISH on a Redis channel (the user channels of `notification.created`); omitted: not consumed. */
  publish?: (channel: string, message: string) => Promise<void>;
}

export function startBridge({ bus, boardLog, logger, metrics, redisWaitMs = 8000, publish, ...settings }: BridgeOptions): BackgroundConsumer {
  const log = logger.child({ component: 'bridge' });
  const bridged = metrics.counter('realtime_bridged_events_total', 'Board events published to Redis by the bridge, by topic and outcome');
  /** Retries `write` while Redis is away, up to `redisWaitMs`; then skips the event with a warning. */
  const withRedis = async (topic: Topic, what: Record<string, unknown>, write: () => Promise<string>) => {
    const until = Date.now() + redisWaitMs;
    for (let delay = 100; ; delay = Math.min(delay * 2, 1000)) {
      try {
        bridged.inc({ topic, outcome: await write() });
        return;
      } catch (err) {
        if (Date.now() + delay > until) {
          bridged.inc({ topic, outcome: 'skipped' });
          log.warn('redis unavailable; event skipped', { topic, ...what, err });
          return;
        }
        await Bun.sleep(delay);
      }
    }
  };
  const forward = (topic: Topic, event: { projectId: string; version: number }) => {
    const boardEvent = { topic, version: event.version, data: event as unknown as Record<string, unknown> };
    // Skipped board events are repaired by rooms from the Ticket Service's log.
    return withRedis(topic, { projectId: event.projectId, version: event.version }, async () =>
      (await boardLog.append(event.projectId, boardEvent)) ? 'published' : 'duplicate',
    );
  };
  const handlers: Handlers = Object.fromEntries(BOARD_TOPICS.map((topic) => [topic, (e: { projectId: string; version: number }) => forward(topic, e)]));
  if (publish) {
    handlers['notification.created'] = (e) =>
      withRedis('notification.created', { userId: e.userId }, async () => {
        await publish(userChannel(e.userId), JSON.stringify(e));
        return 'published';
      });
  }
  return startConsumerInBackground({ bus, ...settings, logger: log, metrics, handlers });
}
