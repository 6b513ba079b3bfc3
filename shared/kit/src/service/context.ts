/** @module What a service is given when it starts: its logger and the process's metrics. */
import type { EventBus } from '../bus/port.ts';
import type { Cache } from '../cache/port.ts';
import type { MemoryPubSub } from '../cache/memory.ts';
import type { EdgeConfig } from '../config/index.ts';
import { createLogger, type Logger } from '../log/index.ts';
import { MetricsRegistry } from '../metrics/index.ts';
import type { Subscriber } from '../pubsub/port.ts';

export interface ServiceContext {
  logger: Logger;
  metrics: MetricsRegistry;
  /** METRICS_TOKEN / INTERNAL_PORT; `serve()` reads them from the environment when absent. */
  edge?: EdgeConfig;
  /**
   * The one-process embedded default (all-in-one with no KAFKA_BROKERS / REDIS_URL): a bus, a cache
   * and its pub/sub shared by the roles. A service given one uses it instead of opening its own, and
   * never closes it: whoever made it does.
   */
  bus?: EventBus;
  cache?: Cache;
  /** Hears what `cache`'s PUBLISH sends (the realtime hub's rooms). */
  subscriber?: () => Subscriber;
  /** Where `cache` publishes, for publishers that do not go through the cache (notifications). */
  pubsub?: MemoryPubSub;
}

export function serviceContext(service: string): ServiceContext {
  return { logger: createLogger({ service }), metrics: new MetricsRegistry() };
}
