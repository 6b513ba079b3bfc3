/**
 * @module The HTTP kit every service mounts first: request ids, JSON access logs, the one error
 * model, `/health`, `/metrics` (Prometheus text) and an OpenAPI document at `/openapi`.
 */
import { openapi } from '@elysiajs/openapi';
import { toJsonSchema } from '@valibot/to-json-schema';
import { Elysia } from 'elysia';
import type { Logger } from '../log/index.ts';
import { DomainError, isUnavailable } from '../errors/index.ts';
import { DEFAULT_BODY_LIMITS, isJsonMediaType, readJsonBody, tooLarge, type BodyLimits } from './body.ts';
import { badValueError, bearerMatches, declaredLength, hasBody, isOpsPath, requestIdOf } from './edge.ts';
import { HttpError, errorBody, httpStatusOf } from './errors.ts';
import { MetricsRegistry } from '../metrics/index.ts';
import { describeProblems, fieldProblems } from './validation.ts';

export * from './errors.ts';
export * from '../metrics/index.ts';
export { describeProblems, fieldProblems, type FieldProblem } from './validation.ts';
export { DEFAULT_BODY_LIMITS, type BodyLimits } from './body.ts';
export { isUnavailable };

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
  body?: BodyLimits;
  /**
   * Path prefixes whose bodies need not be JSON: webhook receivers that verify a signature over the
   * raw bytes (`['/webhooks/']`). Everything else with a body must be `application/json`: a form or
   * multipart post is what a cross-site page can send with the victim's cookie (issue 8, CSRF).
   */
  rawBodyPaths?: string[];
  /** When set, `/metrics` and `/openapi` need `Authorization: Bearer <opsToken>` (METRICS_TOKEN). */
  opsToken?: string;
  /** When given (INTERNAL_PORT), `/metrics` and `/openapi` answer only requests it accepts; 404 elsewhere. */
  opsListener?: (request: Request) => boolean;
  /** Open breakers (a database known down) turn requests into an immediate 503. */
  breakers?: () => Iterable<{ readonly open: boolean; suspect(err?: unknown): void }>;
}

/** Every answer: never sniffed into HTML; API answers carry a user's data, so no cache may keep them. */
const SECURITY_HEADERS = { 'x-content-type-options': 'nosniff', 'cache-control': 'no-store' };

const json = (status: number, body: unknown, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json', ...headers } });

const error = (status: number, code: string, message: string, headers: Record<string, string> = {}) =>
  json(status, errorBody(code, message), headers);

const withTimeout = <T>(p: Promise<T>, ms: number) =>
  Promise.race([p, new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms))]);

const unavailable = (requestId: string | undefined) =>
  json(503, errorBody('UNAVAILABLE', 'A backing service is unavailable; retry shortly', { requestId }), { 'retry-after': '1' });

export function httpKit(o: HttpKitOptions) {
  const { service, logger, metrics, checks = {}, rawBodyPaths = [], breakers = () => [] } = o;
  const limits = o.body ?? DEFAULT_BODY_LIMITS;
  const started = new WeakMap<Request, { at: number; id: string }>();
  const requests = metrics.counter('http_requests_total', 'HTTP requests by method, route and status');
  const latency = metrics.histogram('http_request_duration_seconds', 'HTTP request latency');

  const record = (request: Request, route: string, status: number) => {
    const start = started.get(request);
    const seconds = start ? (performance.now() - start.at) / 1000 : 0;
    requests.inc({ method: request.method, route: route || 'unmatched', status: String(status) });
    latency.observe({ method: request.method, route: route || 'unmatched' }, seconds);
    logger.info('request', { requestId: start?.id, method: request.method, route, status: String(status), ms: Math.round(seconds * 1e4) / 10 });
  };
  /** An answer before routing (415, 413, 401, the breaker's 503): Elysia runs no after-response hook for it. */
  const early = (request: Request, res: Response) => {
    record(request, 'edge', res.status);
    return res;
  };

  /** The error model's answer to whatever a route, guard or hook threw. */
  const errorResponse = ({ code, error, request }: { code: unknown; error: any; request: Request }): Response => {
    const requestId = started.get(request)?.id;
    if (error instanceof HttpError) return json(error.status, errorBody(error.code, error.message, error.details), error.headers);
    if (error instanceof DomainError) {
      const { status, headers } = httpStatusOf(error);
      return json(status, errorBody(error.code, error.message, error.details), headers);
    }
    // Elysia hands thrown errors of a parse hook over as PARSE: ours keep their status and body.
    const cause = (error as { cause?: unknown }).cause;
    if (cause instanceof HttpError) return json(cause.status, errorBody(cause.code, cause.message, cause.details), cause.headers);
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
      default: {
        const bad = badValueError(error);
        if (bad) {
          // A value Postgres cannot take (a NUL, a malformed uuid or date) that validation let through.
          logger.warn('value refused by the database', { requestId, sqlState: bad.code, path: new URL(request.url).pathname });
          return json(400, errorBody('BAD_REQUEST', `A value in the request is not valid: ${bad.message}`, { sqlState: bad.code }));
        }
        if (isUnavailable(error)) {
          // Our dependency is away, not the caller's fault nor a bug: tell them to come back soon.
          logger.warn('dependency unavailable', { err: error, requestId, path: new URL(request.url).pathname });
          for (const b of breakers()) b.suspect(error);
          return unavailable(requestId);
        }
        logger.error('unhandled error', { err: error, requestId, path: new URL(request.url).pathname });
        return json(500, errorBody('INTERNAL', 'Internal error', { requestId }));
      }
    }
  };

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
      const id = requestIdOf(request);
      started.set(request, { at: performance.now(), id });
      set.headers['x-request-id'] = id;
      for (const [k, v] of Object.entries(SECURITY_HEADERS)) set.headers[k] ??= v;
      const path = new URL(request.url).pathname;
      if (isOpsPath(path)) {
        if (o.opsListener && !o.opsListener(request)) return early(request, error(404, 'NOT_FOUND', `No route for ${request.method} ${path}`));
        if (o.opsToken && !bearerMatches(request, o.opsToken)) {
          return early(request, error(401, 'UNAUTHENTICATED', `${path} needs the operator's bearer token`, { 'www-authenticate': 'Bearer' }));
        }
      }
      if (hasBody(request) && !rawBodyPaths.some((p) => path.startsWith(p))) {
        const type = request.headers.get('content-type');
        if (!isJsonMediaType(type)) {
          return early(request, error(415, 'UNSUPPORTED_MEDIA_TYPE', `Request bodies must be application/json, not ${type ?? 'untyped'}`));
        }
        if ((declaredLength(request) ?? 0) > limits.maxBytes) {
          const { status, code, message, details } = tooLarge(limits.maxBytes);
          return early(request, json(status, errorBody(code, message, details), { connection: 'close' }));
        }
      }
      if (path !== '/health' && !isOpsPath(path)) {
        for (const b of breakers()) if (b.open) return early(request, unavailable(id));
      }
    })
    .onParse({ as: 'global' }, ({ request, contentType, path }) => {
      // Ours for every JSON body. Opted-out paths get Elysia's parsers: a webhook route declares
      // `parse: 'text'` (or 'arrayBuffer') to see the raw bytes its signature covers.
      if (!isJsonMediaType(contentType) || rawBodyPaths.some((p) => path.startsWith(p))) return undefined;
      return readJsonBody(request, limits);
    })
    .onError({ as: 'global' }, (c) => {
      const res = errorResponse(c);
      c.set.status = res.status; // the access log and metrics read it
      return res;
    })
    .onAfterResponse({ as: 'global' }, ({ request, set, route, responseValue }) => {
      const status = responseValue instanceof Response ? responseValue.status : typeof set.status === 'number' ? set.status : 200;
      record(request, route, status);
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
              if (c.critical) for (const b of breakers()) b.suspect(err);
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
