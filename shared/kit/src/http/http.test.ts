import { describe, expect, test } from 'bun:test';
import { Elysia } from 'elysia';
import * as v from 'valibot';
import { createLogger } from '../log/index.ts';
import { Conflict } from '../errors/index.ts';
import { httpKit, MetricsRegistry } from './index.ts';

const json = (res: Response): Promise<any> => res.json();

const metrics = new MetricsRegistry();
let healthy = true;
const app = new Elysia()
  .use(
    httpKit({
      service: 'kit-test',
      logger: createLogger({}),
      metrics,
      checks: {
        db: { critical: true, check: async () => { if (!healthy) throw new Error('db gone'); } },
      },
    }),
  )
  .post('/things/:id', ({ body }) => body, {
    params: v.object({ id: v.pipe(v.string(), v.uuid()) }),
    body: v.strictObject({ name: v.pipe(v.string(), v.minLength(1)), size: v.optional(v.number()) }),
    detail: { summary: 'make a thing' },
  })
  .get('/clash', () => {
    throw new Conflict('CLASH', 'it clashes', { with: 'x' });
  })
  .get('/boom', () => {
    throw new Error('secret internals');
  })
  .get('/db-down', () => {
    // As Drizzle throws it: the driver's error as the cause.
    throw new Error('Failed query: select 1', { cause: Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' }) });
  });

const req = (path: string, init?: RequestInit) => app.handle(new Request(`http://localhost${path}`, init));
const id = crypto.randomUUID();

describe('http kit', () => {
  test('validation errors name every bad field, 422 for bodies and 400 for params', async () => {
    const res = await req(`/things/${id}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: '', size: 'big' }) });
    expect(res.status).toBe(422);
    const { error } = await json(res);
    expect(error.code).toBe('VALIDATION_FAILED');
    expect(error.details.map((d: { field: string }) => d.field)).toEqual(['name', 'size']);
    expect(error.message).toContain('body.name');

    const bad = await req('/things/42', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"name":"a"}' });
    expect(bad.status).toBe(400);
    expect((await json(bad)).error.details[0]).toMatchObject({ in: 'params', field: 'id' });
  });

  test('typed errors map to their status and body; unknown errors are 500 without internals', async () => {
    const clash = await req('/clash');
    expect(clash.status).toBe(409);
    expect(await json(clash)).toEqual({ error: { code: 'CLASH', message: 'it clashes', details: { with: 'x' } } });
    const boom = await req('/boom');
    expect(boom.status).toBe(500);
    const text = await boom.text();
    expect(text).not.toContain('secret');
    expect(JSON.parse(text).error.code).toBe('INTERNAL');
  });

  test('a backing service that cannot be reached is 503 with Retry-After, not a 500', async () => {
    const res = await req('/db-down');
    expect(res.status).toBe(503);
    expect(res.headers.get('retry-after')).toBe('1');
    const body = await json(res);
    expect(body.error.code).toBe('UNAVAILABLE');
    expect(JSON.stringify(body)).not.toContain('5432');
  });

  test('request ids are echoed or made', async () => {
    expect((await req('/health', { headers: { 'x-request-id': 'abc-123' } })).headers.get('x-request-id')).toBe('abc-123');
    expect((await req('/health')).headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });

  test('/health reports dependencies; a critical one down gives 503', async () => {
    expect(await (await req('/health')).json()).toEqual({ status: 'ok', service: 'kit-test', checks: { db: 'ok' } });
    healthy = false;
    const down = await req('/health');
    expect(down.status).toBe(503);
    expect((await json(down)).checks.db).toContain('db gone');
    healthy = true;
  });

  test('/metrics is Prometheus text with request counts', async () => {
    await req('/clash');
    await Bun.sleep(20); // the access hook runs after the response is handed over
    const text = await (await req('/metrics')).text();
    expect(text).toContain('# TYPE http_requests_total counter');
    expect(text).toMatch(/http_requests_total\{method="GET",route="\/clash",status="409"\} \d+/);
    expect(text).toContain('http_request_duration_seconds_bucket');
  });

  test('/openapi documents the routes with their schemas', async () => {
    const doc = await json(await req('/openapi'));
    expect(doc.openapi).toMatch(/^3\./);
    const op = doc.paths['/things/{id}'].post;
    expect(op.summary).toBe('make a thing');
    expect(JSON.stringify(op)).toContain('"name"');
  });
});
