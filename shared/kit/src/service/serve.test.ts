/** serve(): the operator's settings (METRICS_TOKEN, INTERNAL_PORT) and the limits Bun enforces itself. */
import { afterAll, describe, expect, test } from 'bun:test';
import { Elysia } from 'elysia';
import { serve, serviceContext, type RunningService, type Served } from './index.ts';

const service = (): RunningService => ({
  name: 'probe',
  plugin: new Elysia()
    .post('/echo', ({ body }) => body)
    .post('/webhooks/github', ({ body }) => ({ raw: body }), { parse: 'text' }),
  checks: {},
  rawBodyPaths: ['/webhooks/'],
  stop: async () => {},
});
const started: Served[] = [];
afterAll(async () => {
  for (const s of started) await s.stop();
});
const start = (edge: Parameters<typeof serve>[3]['edge']) => {
  const s = serve('probe', 0, [service()], { ...serviceContext('probe'), edge });
  started.push(s);
  return s;
};

describe('/metrics and /openapi for deployments that face the internet', () => {
  test('unset: open on the service port, as for local use and benches', async () => {
    const s = start({});
    expect((await fetch(`${s.url}/metrics`)).status).toBe(200);
    expect((await fetch(`${s.url}/openapi`)).status).toBe(200);
  });

  test('METRICS_TOKEN: 401 without the bearer token, 200 with it; the API is unaffected', async () => {
    const token = 'metrics-token-0123456789';
    const s = start({ METRICS_TOKEN: token });
    for (const path of ['/metrics', '/openapi']) {
      const res = await fetch(`${s.url}${path}`);
      expect(res.status).toBe(401);
      expect(((await res.json()) as any).error.code).toBe('UNAUTHENTICATED');
      expect((await fetch(`${s.url}${path}`, { headers: { authorization: `Bearer ${token}` } })).status).toBe(200);
    }
    expect((await fetch(`${s.url}/echo`, { method: 'POST', body: '{"a":1}', headers: { 'content-type': 'application/json' } })).status).toBe(200);
  });

  test('INTERNAL_PORT: served there only; the public port answers 404', async () => {
    const s = start({ INTERNAL_PORT: 0 });
    expect(s.internalUrl).toBeDefined();
    expect((await fetch(`${s.url}/metrics`)).status).toBe(404);
    expect((await fetch(`${s.url}/openapi`)).status).toBe(404);
    expect((await fetch(`${s.internalUrl}/metrics`)).status).toBe(200);
    expect(((await (await fetch(`${s.internalUrl}/openapi`)).json()) as any).openapi).toMatch(/^3\./);
    expect((await fetch(`${s.internalUrl}/health`)).status).toBe(200);
    expect((await fetch(`${s.internalUrl}/echo`, { method: 'POST', body: '{}', headers: { 'content-type': 'application/json' } })).status).toBe(404);
  });
});

describe('limits', () => {
  test('a body over 1 MiB is a JSON 413, announced or streamed', async () => {
    const s = start({});
    const big = JSON.stringify({ a: 'x'.repeat(2 * 1024 * 1024) });
    const res = await fetch(`${s.url}/echo`, { method: 'POST', body: big, headers: { 'content-type': 'application/json' } });
    expect(res.status).toBe(413);
    expect(((await res.json()) as any).error.code).toBe('PAYLOAD_TOO_LARGE');
    const stream = new Blob([big]).stream();
    const chunked = await fetch(`${s.url}/echo`, { method: 'POST', body: stream, headers: { 'content-type': 'application/json' } });
    expect(chunked.status).toBe(413);
    expect(((await chunked.json()) as any).error.code).toBe('PAYLOAD_TOO_LARGE');
  });
});

describe('what Bun answers before any hook of ours', () => {
  test('request headers past 16 KiB: Bun’s own 431, empty (measured and documented, not shaped)', async () => {
    const s = start({});
    const under = await fetch(`${s.url}/health`, { headers: { 'x-big': 'y'.repeat(15_000) } });
    expect(under.status).toBe(200);
    expect(under.headers.get('x-content-type-options')).toBe('nosniff');
    const over = await fetch(`${s.url}/health`, { headers: { 'x-big': 'y'.repeat(16_500) } });
    expect(over.status).toBe(431);
    expect(await over.text()).toBe('');
  });
});

describe('webhook receivers', () => {
  test('a service’s rawBodyPaths take any body type and see the raw text; other routes still want JSON', async () => {
    const s = start({});
    const form = await fetch(`${s.url}/webhooks/github`, { method: 'POST', body: 'payload=%7B%7D', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    expect(await form.json()).toEqual({ raw: 'payload=%7B%7D' });
    const json = await fetch(`${s.url}/webhooks/github`, { method: 'POST', body: '{ "a" : 1 }', headers: { 'content-type': 'application/json' } });
    expect(await json.json()).toEqual({ raw: '{ "a" : 1 }' });
    expect((await fetch(`${s.url}/echo`, { method: 'POST', body: 'a=1', headers: { 'content-type': 'application/x-www-form-urlencoded' } })).status).toBe(415);
  });
});
