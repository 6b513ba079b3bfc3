/** @module What a service is given when it starts: its logger and the process's metrics. */
import type { EdgeConfig } from '../config/index.ts';
import { createLogger, type Logger } from '../log/index.ts';
import { MetricsRegistry } from '../metrics/index.ts';

export interface ServiceContext {
  logger: Logger;
  metrics: MetricsRegistry;
  /** METRICS_TOKEN / INTERNAL_PORT; `serve()` reads them from the environment when absent. */
  edge?: EdgeConfig;
}

export function serviceContext(service: string): ServiceContext {
  return { logger: createLogger({ service }), metrics: new MetricsRegistry() };
}
