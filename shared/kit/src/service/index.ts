/**
 * @module The common shape of a service: `start()` gives a plugin, health checks and `stop()`;
 * `serve()` mounts one or more of them behind the HTTP kit and handles shutdown signals.
 */
import { Elysia, type AnyElysia } from 'elysia';
import { loadEdgeConfig } from '../config/index.ts';
import { claimBreakers } from '../db/index.ts';
import { errorBody, httpKit, type HealthCheck } from '../http/index.ts';
import type { Logger } from '../log/index.ts';
import { serviceContext, type ServiceContext } from './context.ts';

export { serviceContext, type ServiceContext } from './context.ts';

export interface RunningService {
  name: string;
  plugin: AnyElysia;
  checks: Record<string, HealthCheck>;
  /**
   * Path prefixes of webhook receivers, whose bodies need not be JSON (every other body must be):
   * their routes declare `parse: 'text'` to verify a signature over the raw bytes.
   */
  rawBodyPaths?: string[];
  stop(): Promise<void>;
}

export interface Served {
  app: AnyElysia;
  url: string;
  port: number;
  /** The INTERNAL_PORT listener (`/metrics`, `/openapi`, `/health`), when configured. */
  internalUrl?: string;
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

/** Bodies are small JSON documents; the kit refuses larger ones with a JSON 413 before buffering them. */
const MAX_BODY_BYTES = 1024 * 1024;
/**
 * Bun's own limit, a backstop only: past it Bun answers an empty 413 before any of our code runs,
 * so it sits well above ours (a body announced between the two gets the kit's JSON 413 unread).
 * Headers have no such path: past 16 KiB of request headers Bun itself answers 431 with an empty
 * body (`Connection: close`) before any hook of ours runs (measured with Bun 1.4.5: 15,000 bytes of
 * one header pass, 16,500 do not); `bun --max-http-header-size=<bytes>` moves that limit.
 */
const BUN_MAX_BODY_BYTES = 64 * MAX_BODY_BYTES;
/** What the INTERNAL_PORT listener serves. */
const OPS_PATHS = new Set(['/metrics', '/openapi', '/health']);

export function serve(name: string, port: number, services: RunningService[], ctx: ServiceContext): Served {
  const checks = mergeChecks(services);
  const edge = ctx.edge ?? loadEdgeConfig();
  const hostname = process.env.HOST ?? '0.0.0.0';
  const viaInternal = new WeakSet<Request>();
  // The databases these services opened while starting, just before this call (see claimBreakers).
  const breakers = claimBreakers();
  const kit = httpKit({
    service: name,
    logger: ctx.logger,
    metrics: ctx.metrics,
    checks,
    body: { maxBytes: MAX_BODY_BYTES, maxDepth: 64 },
    rawBodyPaths: services.flatMap((s) => s.rawBodyPaths ?? []),
    breakers: () => breakers.filter((b) => !b.isDisposed),
    ...(edge.METRICS_TOKEN ? { opsToken: edge.METRICS_TOKEN } : {}),
    ...(edge.INTERNAL_PORT !== undefined ? { opsListener: (r: Request) => viaInternal.has(r) } : {}),
  });
  let app: AnyElysia = new Elysia().use(kit);
  for (const s of services) app = app.use(s.plugin);
  app.listen({ port, hostname, maxRequestBodySize: BUN_MAX_BODY_BYTES });
  const actual = app.server!.port!;
  // The operator's listener: the same app, but only its operational routes.
  const internal =
    edge.INTERNAL_PORT === undefined
      ? undefined
      : Bun.serve({
          port: edge.INTERNAL_PORT,
          hostname,
          fetch: (request) => {
            if (!OPS_PATHS.has(new URL(request.url).pathname)) return Response.json(errorBody('NOT_FOUND', 'Only /metrics, /openapi and /health here'), { status: 404 });
            viaInternal.add(request);
            return app.handle(request);
          },
        });
  ctx.logger.info('listening', { service: name, port: actual, ...(internal ? { internalPort: internal.port } : {}) });
  let stopping: Promise<void> | null = null;
  return {
    app,
    port: actual,
    url: `http://127.0.0.1:${actual}`,
    ...(internal ? { internalUrl: `http://127.0.0.1:${internal.port}` } : {}),
    stop: () =>
      (stopping ??= (async () => {
        await internal?.stop();
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
