/**
 * @module The HTTP kit every service mounts first: request ids, JSON access logs, the one error
 * model, `/health`, `/metrics` (Prometheus text) and an OpenAPI document at `/openapi`.
 */
import { openapi } from '@elysiajs/openapi';
import { toJsonSchema } from '@valibot/to-json-schema';
import { Elysia } from 'elysia';
import type { Logger } from '../log/index.ts';
import { DomainError } from '../errors/index.ts';
import { HttpError, errorBody, httpStatusOf } from './errors.ts';
import { MetricsRegistry } from '../metrics/index.ts';
import { describeProblems, fieldProblems } from './validation.ts';

export * from './errors.ts';
export * from '../metrics/index.ts';
export { describeProblems, fieldProblems, type FieldProblem } from './validation.ts';

export interface HealthCheck {
  check: () => Promise<unknown>;
  /** A non-critical dependency (the cache) being down reports "degraded" but keeps 200. */
  critical: boolean;
}

export interface HttpKitOptions {
  service: string;
  logger: Logger;
  metrics: MetricsRegistry;
  checks?: Record<string, HealthCheck>;
}

const json = (status: number, body: unknown, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json', ...headers } });

const withTimeout = <T>(p: Promise<T>, ms: number) =>
  Promise.race([p, new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms))]);

/**
 * Connection-level failures of Postgres (postgres.js codes, socket errors, and the server's
 * shutdown/startup SQLSTATEs): the request may well succeed in a moment.
 */
const UNAVAILABLE_CODES = new Set([
  'CONNECTION_CLOSED', 'CONNECTION_ENDED', 'CONNECTION_DESTROYED', 'CONNECT_TIMEOUT',
  'ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND',
  '57P01', '57P02', '57P03', '08000', '08001', '08003', '08004', '08006',
]);
export const isUnavailable = (err: unknown): boolean => {
  // Drizzle wraps the driver's error (DrizzleQueryError): look down the `cause` chain.
  for (let e = err, depth = 0; e && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && UNAVAILABLE_CODES.has(code)) return true;
  }
  return false;
};

export function httpKit({ service, logger, metrics, checks = {} }: HttpKitOptions) {
  const started = new WeakMap<Request, { at: number; id: string }>();
  const requests = metrics.counter('http_requests_total', 'HTTP requests by method, route and status');
  const latency = metrics.histogram('http_request_duration_seconds', 'HTTP request latency');

  return new Elysia({ name: `http.kit:${service}` })
    .use(
      openapi({
        provider: null,
        specPath: '/openapi',
        documentation: {
          info: { title: `SyncroBoard ${service}`, version: '0.1.0' },
          components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT (ES256)' } } },
          security: [{ bearer: [] }],
        },
        mapJsonSchema: { valibot: (schema: unknown) => toJsonSchema(schema as never, { errorMode: 'ignore' }) },
      }),
    )
    .onRequest(({ request, set }) => {
      const id = request.headers.get('x-request-id') || Bun.randomUUIDv7();
      started.set(request, { at: performance.now(), id });
      set.headers['x-request-id'] = id;
    })
    .onError({ as: 'global' }, ({ code, error, request, set }) => {
      const requestId = started.get(request)?.id;
      if (error instanceof HttpError) return json(error.status, errorBody(error.code, error.message, error.details), error.headers);
      if (error instanceof DomainError) {
        const { status, headers } = httpStatusOf(error);
        set.status = status; // the access log and metrics read it
        return json(status, errorBody(error.code, error.message, error.details), headers);
      }
      switch (code) {
        case 'VALIDATION': {
          const problems = fieldProblems(error);
          const onBody = error.type === 'body';
          return json(
            onBody ? 422 : 400,
            errorBody(onBody ? 'VALIDATION_FAILED' : 'BAD_REQUEST', describeProblems(problems), problems),
          );
        }
        case 'PARSE':
          return json(400, errorBody('MALFORMED_BODY', 'The request body is not valid JSON'));
        case 'NOT_FOUND':
          return json(404, errorBody('NOT_FOUND', `No route for ${request.method} ${new URL(request.url).pathname}`));
        case 'INVALID_COOKIE_SIGNATURE':
          return json(400, errorBody('BAD_REQUEST', 'A cookie has an invalid signature'));
        default:
          if (isUnavailable(error)) {
            // Our dependency is away, not the caller's fault nor a bug: tell them to come back soon.
            logger.warn('dependency unavailable', { err: error, requestId, path: new URL(request.url).pathname });
            const res = json(503, errorBody('UNAVAILABLE', 'A backing service is unavailable; retry shortly', { requestId }));
            res.headers.set('retry-after', '1');
            return res;
          }
          logger.error('unhandled error', { err: error, requestId, path: new URL(request.url).pathname });
          return json(500, errorBody('INTERNAL', 'Internal error', { requestId }));
      }
    })
    .onAfterResponse({ as: 'global' }, ({ request, set, route }) => {
      const start = started.get(request);
      const seconds = start ? (performance.now() - start.at) / 1000 : 0;
      const status = String(typeof set.status === 'number' ? set.status : 200);
      requests.inc({ method: request.method, route: route || 'unmatched', status });
      latency.observe({ method: request.method, route: route || 'unmatched' }, seconds);
      logger.info('request', { requestId: start?.id, method: request.method, route, status, ms: Math.round(seconds * 1e4) / 10 });
    })
    .get(
      '/health',
      async () => {
        const results: Record<string, string> = {};
        let down = false;
        let degraded = false;
        await Promise.all(
          Object.entries(checks).map(async ([name, c]) => {
            try {
              await withTimeout(c.check(), 1500);
              results[name] = 'ok';
            } catch (err) {
              results[name] = `down: ${(err as Error).message}`;
              if (c.critical) down = true;
              else degraded = true;
            }
          }),
        );
        const status = down ? 'down' : degraded ? 'degraded' : 'ok';
        return json(down ? 503 : 200, { status, service, checks: results });
      },
      { detail: { summary: 'Liveness and dependency health' } },
    )
    .get(
      '/metrics',
      async () => new Response(await metrics.render(), { headers: { 'content-type': 'text/plain; version=0.0.4' } }),
      { detail: { summary: 'Prometheus metrics' } },
    );
}
