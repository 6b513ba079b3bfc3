/**
 * @module The common shape of a service: `start()` gives a plugin, health checks and `stop()`;
 * `serve()` mounts one or more of them behind the HTTP kit and handles shutdown signals.
 */
import { Elysia, type AnyElysia } from 'elysia';
import { httpKit, MetricsRegistry, type HealthCheck } from '../http/index.ts';
import { createLogger, type Logger } from '../log/index.ts';

export interface RunningService {
  name: string;
  plugin: AnyElysia;
  checks: Record<string, HealthCheck>;
  stop(): Promise<void>;
}

export interface ServiceContext {
  logger: Logger;
  metrics: MetricsRegistry;
}

export interface Served {
  app: AnyElysia;
  url: string;
  port: number;
  stop(): Promise<void>;
}

/** Bodies are small JSON documents; refuse anything larger before it is buffered. */
const MAX_BODY_BYTES = 1024 * 1024;

export function serve(name: string, port: number, services: RunningService[], ctx: ServiceContext): Served {
  const checks = Object.assign({}, ...services.map((s) => s.checks));
  let app: AnyElysia = new Elysia().use(httpKit({ service: name, logger: ctx.logger, metrics: ctx.metrics, checks }));
  for (const s of services) app = app.use(s.plugin);
  app.listen({ port, hostname: process.env.HOST ?? '0.0.0.0', maxRequestBodySize: MAX_BODY_BYTES });
  const actual = app.server!.port!;
  ctx.logger.info('listening', { service: name, port: actual });
  let stopping: Promise<void> | null = null;
  return {
    app,
    port: actual,
    url: `http://127.0.0.1:${actual}`,
    stop: () =>
      (stopping ??= (async () => {
        await app.stop();
        for (const s of services.toReversed()) await s.stop();
      })()),
  };
}

/** Runs `served` until SIGINT/SIGTERM, then stops it gracefully (relays finish their batch). */
export function stopOnSignals(served: Served, logger: Logger) {
  const shutdown = async (signal: string) => {
    logger.info('shutting down', { signal });
    await served.stop();
    process.exit(0);
  };
  process.once('SIGINT', () => void shutdown('SIGINT'));
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
}

export function serviceContext(service: string): ServiceContext {
  return { logger: createLogger({ service }), metrics: new MetricsRegistry() };
}
