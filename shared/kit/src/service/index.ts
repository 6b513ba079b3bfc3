/**
 * @module The common shape of a service: `start()` gives a plugin, health checks and `stop()`;
 * `serve()` mounts one or more of them behind the HTTP kit and handles shutdown signals.
 */
import { Elysia, type AnyElysia } from 'elysia';
import { httpKit, type HealthCheck } from '../http/index.ts';
import type { Logger } from '../log/index.ts';
import { serviceContext, type ServiceContext } from './context.ts';

export { serviceContext, type ServiceContext } from './context.ts';

export interface RunningService {
  name: string;
  plugin: AnyElysia;
  checks: Record<string, HealthCheck>;
  stop(): Promise<void>;
}


export interface Served {
  app: AnyElysia;
  url: string;
  port: number;
  stop(): Promise<void>;
}

/**
 * One service's checks keep their names (`postgres`); several in one process (all-in-one) are named
 * `auth.postgres`, `tickets.postgres`, … so none hides another's.
 */
export function mergeChecks(services: RunningService[]): Record<string, HealthCheck> {
  if (services.length === 1) return { ...services[0]!.checks };
  return Object.fromEntries(services.flatMap((s) => Object.entries(s.checks).map(([name, check]) => [`${s.name}.${name}`, check])));
}

/** Bodies are small JSON documents; refuse anything larger before it is buffered. */
const MAX_BODY_BYTES = 1024 * 1024;

export function serve(name: string, port: number, services: RunningService[], ctx: ServiceContext): Served {
  const checks = mergeChecks(services);
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


/**
 * The body of every `main.ts`: start, serve on the port, stop gracefully on signals. A failure to
 * start (bad configuration, no database) exits 1 with the reason on stderr, not a stack trace.
 */
export async function runMain(name: string, boot: (ctx: ServiceContext) => Promise<{ port: number; services: RunningService[] }>) {
  const ctx = serviceContext(name);
  try {
    const { port, services } = await boot(ctx);
    stopOnSignals(serve(name, port, services, ctx), ctx.logger);
  } catch (err) {
    ctx.logger.error(`${name} failed to start`, { err });
    console.error((err as Error).message);
    process.exit(1);
  }
}
export { startBackbone, type Backbone, type BackboneConfig, type BackboneOptions } from './backbone.ts';
