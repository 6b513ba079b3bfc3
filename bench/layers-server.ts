/**
 * @module The cached board read taken apart, one layer per process, to see where its time goes
 * (bench/board.ts measures each with the same wrk load as the service). Each layer answers
 * GET /projects/:id/board with the same bytes as the service:
 *
 *   string       bare `Bun.serve`, the board as a JS string (the service's body is a string, so
 *                every answer is UTF-8 encoded again; bare-server.ts serves bytes)
 *   redis        bare `Bun.serve` that waits, before each answer, for a read of the real fence
 *                key through the kit's Redis adapter, shared by all waiting requests
 *                (services/tickets/src/board/freshReader.ts), then answers the bytes from memory:
 *                what a hit would cost if it waited for Redis (the service's hit path does not)
 *   framework    the kit's `serve()` (Elysia, httpKit: request ids, metrics, error model) + the
 *                real auth guard and token verifier + the board route's params schema, answering
 *                the board string from memory — the cached read without Redis
 *
 *   bun bench/layers-server.ts <layer> <port> <body-file> <redis-key> <user-id> <jwks-url> <issuer> <audience>
 */
import { authGuard, createTokenVerifier } from '@syncro/kit/auth';
import { createRedisCache } from '@syncro/kit/cache';
import { serve, serviceContext } from '@syncro/kit/service';
import { Elysia } from 'elysia';
import { createFreshReader } from '../services/tickets/src/board/freshReader.ts';
import { ProjectParams } from '../services/tickets/src/projects/projects.schema.ts';

const [layer, portArg, bodyFile, redisKey, userId, jwksUrl, issuer, audience] = process.argv.slice(2);
if (!layer || !portArg || !bodyFile || !redisKey || !userId || !jwksUrl || !issuer || !audience) {
  console.error('usage: bun bench/layers-server.ts <string|redis|framework> <port> <body-file> <redis-key> <user-id> <jwks-url> <issuer> <audience>');
  process.exit(2);
}
const port = Number(portArg);
const body = await Bun.file(bodyFile).text();
const headers = { 'content-type': 'application/json', 'x-cache': 'HIT' };
let stop: () => Promise<void> = async () => {};

if (layer === 'string') {
  const server = Bun.serve({ hostname: '127.0.0.1', port, fetch: () => new Response(body, { headers }) });
  stop = async () => void server.stop(true);
} else if (layer === 'redis') {
  const cache = createRedisCache({ url: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379' });
  const fenceKey = `${redisKey}:fence`;
  if ((await cache.get(fenceKey)) === null) throw new Error(`no fence at ${fenceKey}`);
  const fences = createFreshReader((key: string) => cache.get(key), 1); // as boardCache.ts spaces them
  const bytes = new TextEncoder().encode(body);
  const server = Bun.serve({
    hostname: '127.0.0.1',
    port,
    fetch: async () => {
      if ((await fences.read(fenceKey)) === null) return new Response('no fence', { status: 500 });
      return new Response(bytes, { headers });
    },
  });
  stop = async () => {
    void server.stop(true);
    cache.close();
  };
} else if (layer === 'framework') {
  const ctx = serviceContext('tickets');
  const verify = createTokenVerifier({ jwksUrl, issuer, audience });
  const plugin = new Elysia({ name: 'bench.board' })
    .use(authGuard(verify, 'tickets'))
    .get('/projects/:id/board', () => new Response(body, { headers }), { params: ProjectParams });
  process.env.HOST = '127.0.0.1';
  const served = serve('tickets', port, [{ name: 'bench', plugin, checks: {}, stop: async () => {} }], ctx);
  stop = () => served.stop();
} else {
  console.error(`unknown layer ${layer}`);
  process.exit(2);
}

const shutdown = () => void stop().finally(() => process.exit(0));
process.once('SIGTERM', shutdown);
process.once('SIGINT', shutdown);
console.log(`layer ${layer} on 127.0.0.1:${port}`);
