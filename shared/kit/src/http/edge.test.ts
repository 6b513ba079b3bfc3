/** The kit's edge: what is refused before a route runs, and the headers every answer carries. */
import { afterAll, describe, expect, test } from 'bun:test';
import { Elysia } from 'elysia';
import * as v from 'valibot';
import postgres from 'postgres';
import { PG_ADMIN_URL } from '@syncro/testing/db';
import type { Logger } from '../log/index.ts';
import { MetricsRegistry } from '../metrics/index.ts';
import { httpKit } from './index.ts';

let handled = 0;
const lines: string[] = [];
/** Keeps every line at every level, whatever LOG_LEVEL says: the test reads what would be logged. */
const recorder = (base: Record<string, unknown>): Logger => {
  const write = (msg: string, fields?: Record<string, unknown>) => void lines.push(JSON.stringify({ msg, ...base, ...fields }));
  return { debug: write, info: write, warn: write, error: write, child: (f) => recorder({ ...base, ...f }) };
};
const logger = recorder({});
const opsToken = 'ops-token-0123456789abcdef';
const app = new Elysia()
  .use(httpKit({ service: 'edge-test', logger, metrics: new MetricsRegistry(), body: { maxBytes: 65536, maxDepth: 64 }, rawBodyPaths: ['/webhooks/'], opsToken }))
  .post('/things', ({ body }) => (handled++, body), { body: v.object({ title: v.string(), labels: v.optional(v.array(v.string())), meta: v.optional(v.unknown()) }) })
  // A webhook receiver reads the raw text (to check a signature over it), whatever its type.
  .post('/webhooks/in', ({ body }) => ({ got: body }), { parse: 'text' })
  // Real queries, as Drizzle runs them, with values that validation might let through.
  .get('/pg/:kind', ({ params }) => {
    const q = {
      nul: () => pg`select ${'a\u0000b'}::text`,
      uuid: () => pg`select ${'not-a-uuid'}::uuid`,
      // Sent as text (postgres.js would turn a date-typed parameter into a JS Date first).
      date: () => pg`select ${'2030-02-31'}::text::date`,
      datetime: () => pg`select ${'yesterday-ish'}::text::timestamptz`,
      zone: () => pg`select ${'2030-01-01T00:00:00+99:00'}::text::timestamptz`,
    }[params.kind as 'nul'];
    return q().then(() => ({ ok: true }));
  })
  .listen({ port: 0, maxRequestBodySize: 4 * 65536 });
const pg = postgres(PG_ADMIN_URL, { max: 1, onnotice: () => {} });
afterAll(async () => {
  await app.stop();
  await pg.end();
});
const url = (p: string) => `http://127.0.0.1:${app.server!.port}${p}`;
const post = (body: string, type: string | null, path = '/things') =>
  fetch(url(path), { method: 'POST', body, headers: type ? { 'content-type': type } : {} });

describe('bodies are JSON only', () => {
  test.each([
    ['application/x-www-form-urlencoded', 'title=x'],
    ['multipart/form-data; boundary=b', '--b\r\nContent-Disposition: form-data; name="title"\r\n\r\nx\r\n--b--\r\n'],
    ['text/plain', '{"title":"x"}'],
  ])('%s is 415 naming the type, before the handler', async (type, body) => {
    const before = handled;
    const res = await post(body, type);
    expect(res.status).toBe(415);
    const { error } = (await res.json()) as any;
    expect(error.code).toBe('UNSUPPORTED_MEDIA_TYPE');
    expect(error.message).toContain(type.split(';')[0]);
    expect(handled).toBe(before);
  });

  test('application/json with a charset, in any case, is accepted; webhook paths opt out', async () => {
    expect((await post('{"title":"x"}', 'Application/JSON; charset=utf-8')).status).toBe(200);
    const hook = await post('a=1', 'application/x-www-form-urlencoded', '/webhooks/in');
    expect(hook.status).toBe(200);
    expect(await hook.json()).toEqual({ got: 'a=1' });
    const signed = await post('{"raw" : 1}', 'application/json', '/webhooks/in');
    expect(await signed.json()).toEqual({ got: '{"raw" : 1}' });
  });
});

describe('text Postgres cannot hold, and nesting that blows the stack', () => {
  test('\\u0000 and lone surrogates are 422 naming the field path', async () => {
    const nul = await post(JSON.stringify({ title: 'a\u0000b' }), 'application/json');
    expect(nul.status).toBe(422);
    const a = (await nul.json()) as any;
    expect(a.error.code).toBe('VALIDATION_FAILED');
    expect(a.error.message).toContain('body.title');
    expect(a.error.details[0]).toMatchObject({ in: 'body', field: 'title' });
    const lone = await post('{"title":"ok","labels":["fine","a\\ud800b"]}', 'application/json');
    expect(lone.status).toBe(422);
    expect(((await lone.json()) as any).error.message).toContain('body.labels.1');
    const key = await post('{"title":"ok","meta":{"k\\u0000":1}}', 'application/json');
    expect(((await key.json()) as any).error.details[0].field).toBe('meta.k\u0000');
  });

  test('20,000 levels of nesting is a 400 naming the limit, not a RangeError', async () => {
    const deep = `{"title":"x","meta":${'['.repeat(20_000)}${']'.repeat(20_000)}}`;
    const res = await post(deep, 'application/json');
    expect(res.status).toBe(400);
    const { error } = (await res.json()) as any;
    expect(error.code).toBe('MALFORMED_BODY');
    expect(error.message).toContain('64');
    // Brackets inside strings are text, not nesting.
    expect((await post(JSON.stringify({ title: '['.repeat(1000) }), 'application/json')).status).toBe(200);
  });
});

describe('bodies over the limit are 413 in the error model', () => {
  test('announced by Content-Length', async () => {
    const res = await post(JSON.stringify({ title: 'x'.repeat(100_000) }), 'application/json');
    expect(res.status).toBe(413);
    expect(((await res.json()) as any).error).toMatchObject({ code: 'PAYLOAD_TOO_LARGE', details: { limitBytes: 65536 } });
  });

  test('streamed (chunked) without a length', async () => {
    const chunk = new TextEncoder().encode('x'.repeat(1000));
    let sent = 0;
    const stream = new ReadableStream({
      pull(c) {
        if (sent++ === 0) c.enqueue(new TextEncoder().encode('{"title":"'));
        else if (sent < 100) c.enqueue(chunk);
        else c.close();
      },
    });
    const res = await fetch(url('/things'), { method: 'POST', body: stream, headers: { 'content-type': 'application/json' } });
    expect(res.status).toBe(413);
    expect(((await res.json()) as any).error.code).toBe('PAYLOAD_TOO_LARGE');
  });
});

describe('every answer', () => {
  test('carries nosniff and no-store, errors and 404s too', async () => {
    for (const res of [await fetch(url('/health')), await fetch(url('/nope')), await post('x', 'text/plain')]) {
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      expect(res.headers.get('cache-control')).toBe('no-store');
    }
  });

  test('a safe x-request-id is echoed; CRLF, long or non-ASCII ones are replaced and never logged', async () => {
    expect((await fetch(url('/health'), { headers: { 'x-request-id': 'abc-1.2:3_x' } })).headers.get('x-request-id')).toBe('abc-1.2:3_x');
    // fetch refuses a raw CRLF in a header, so that one goes over a socket.
    const evil = ['x'.repeat(65), 'caf\u00e9', 'a b', 'a\tb'];
    for (const id of evil) {
      const res = await fetch(url('/health'), { headers: { 'x-request-id': Buffer.from(id, 'utf8').toString('latin1') } });
      expect(res.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    }
    const raw = await rawRequest(`GET /health HTTP/1.1\r\nHost: x\r\nX-Request-Id: ok\rinjected: 1\r\nConnection: close\r\n\r\n`);
    expect(raw).not.toContain('injected');
    await Bun.sleep(20);
    const logged = lines.join('\n');
    for (const id of evil) expect(logged).not.toContain(id);
    expect(logged).not.toContain('injected');
  });
});

describe('operator endpoints behind METRICS_TOKEN', () => {
  test('/metrics and /openapi need the bearer token; the API does not', async () => {
    for (const path of ['/metrics', '/openapi']) {
      const anonymous = await fetch(url(path));
      expect(anonymous.status).toBe(401);
      expect(((await anonymous.json()) as any).error.code).toBe('UNAUTHENTICATED');
      expect((await fetch(url(path), { headers: { authorization: 'Bearer wrong' } })).status).toBe(401);
      expect((await fetch(url(path), { headers: { authorization: `Bearer ${opsToken}` } })).status).toBe(200);
    }
    expect((await fetch(url('/health'))).status).toBe(200);
  });

  test('answers refused at the edge are counted with their own status', async () => {
    await post('a=1', 'application/x-www-form-urlencoded');
    await Bun.sleep(20); // the access hook runs after the response is handed over
    const text = await (await fetch(url('/metrics'), { headers: { authorization: `Bearer ${opsToken}` } })).text();
    expect(text).toMatch(/http_requests_total\{method="POST",route="[^"]*",status="415"\} \d+/);
  });
});

describe('values Postgres refuses are the caller’s mistake', () => {
  test('SQLSTATE 22021 (\\u0000), 22P02 (a bad uuid), 22008, 22007 and 22009 (dates) are 400 BAD_REQUEST, not 500', async () => {
    for (const [kind, sqlState] of [['nul', '22021'], ['uuid', '22P02'], ['date', '22008'], ['datetime', '22007'], ['zone', '22009']]) {
      const res = await fetch(url(`/pg/${kind}`));
      expect(res.status, kind).toBe(400);
      const { error } = (await res.json()) as any;
      expect(error.code, kind).toBe('BAD_REQUEST');
      expect(error.details.sqlState, kind).toBe(sqlState);
    }
  });
});

async function rawRequest(text: string): Promise<string> {
  let out = '';
  const { promise, resolve } = Promise.withResolvers<string>();
  await Bun.connect({
    hostname: '127.0.0.1',
    port: app.server!.port!,
    socket: {
      open: (s) => void s.write(text),
      data: (_s, d) => void (out += d.toString()),
      close: () => resolve(out),
      error: () => resolve(out),
    },
  });
  return Promise.race([promise, Bun.sleep(2000).then(() => out)]);
}
