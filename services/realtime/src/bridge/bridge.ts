/**
 * @module The bridge: a Kafka consumer group (`realtime-bridge`) on the board topics that appends
 * each event to its project's hot window and publishes it on `board:{projectId}` (one Lua script).
 * Redis away: the event is retried for a while, then skipped with a warning, not dead-lettered:
 * rooms repair from the Ticket Service's log when their subscriber reconnects, and the hot window
 * is only a cache in front of that log.
 */
import type { Topic } from '@syncro/contracts';
import { startConsumerInBackground, type BackgroundConsumer, type ConsumerSettings, type EventBus, type Handlers } from '@syncro/kit/bus';
import type { MetricsRegistry } from '@syncro/kit/http';
import type { Logger } from '@syncro/kit/log';
import type { BoardLog } from '../redis/boardLog.ts';
import { BOARD_TOPICS } from '../rooms/boardFrames.ts';

export interface BridgeOptions extends ConsumerSettings {
  bus: EventBus;
  boardLog: BoardLog;
  logger: Logger;
  metrics: MetricsRegistry;
  /** How long one event waits for Redis before it is skipped (ms); below the group's session timeout. */
  redisWaitMs?: number;
}

export function startBridge({ bus, boardLog, logger, metrics, redisWaitMs = 8000, ...settings }: BridgeOptions): BackgroundConsumer {
  const log = logger.child({ component: 'bridge' });
  const bridged = metrics.counter('realtime_bridged_events_total', 'Board events published to Redis by the bridge, by topic and outcome');
  const forward = async (topic: Topic, event: { projectId: string; version: number }) => {
    const boardEvent = { topic, version: event.version, data: event as unknown as Record<string, unknown> };
    const until = Date.now() + redisWaitMs;
    for (let delay = 100; ; delay = Math.min(delay * 2, 1000)) {
      try {
        const added = await boardLog.append(event.projectId, boardEvent);
        bridged.inc({ topic, outcome: added ? 'published' : 'duplicate' });
        return;
      } catch (err) {
        if (Date.now() + delay > until) {
          bridged.inc({ topic, outcome: 'skipped' });
          log.warn('redis unavailable; event skipped (rooms repair from the event log)', { topic, projectId: event.projectId, version: event.version, err });
          return;
        }
        await Bun.sleep(delay);
      }
    }
  };
  const handlers: Handlers = Object.fromEntries(BOARD_TOPICS.map((topic) => [topic, (e: { projectId: string; version: number }) => forward(topic, e)]));
  return startConsumerInBackground({ bus, ...settings, logger: log, metrics, handlers });
}
