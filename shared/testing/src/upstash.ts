/**
 * @module A loopback server that speaks the Upstash Redis REST protocol and forwards each command
 * to a real Redis, so the `@upstash/redis` adapter is tested over real HTTP against real Redis.
 */
import { RedisClient } from 'bun';

const encode = (value: unknown, base64: boolean): unknown => {
  if (!base64) return value;
  if (typeof value === 'string') return Buffer.from(value, 'utf8').toString('base64');
  if (Array.isArray(value)) return value.map((v) => encode(v, base64));
  return value;
};

export async function startUpstashBridge(redisUrl: string) {
  const redis = new RedisClient(redisUrl);
  await redis.connect();
  const token = crypto.randomUUID();
  const exec = async (command: unknown[], base64: boolean) => {
    const [name, ...args] = command.map(String);
    try {
      return { result: encode(await redis.send(name!, args), base64) };
    } catch (err) {
      return { error: (err as Error).message };
    }
  };
  const server = Bun.serve({
    hostname: '127.0.0.1',
    port: 0,
    async fetch(req) {
      if (req.headers.get('authorization') !== `Bearer ${token}`) return Response.json({ error: 'Unauthorized' }, { status: 401 });
      const base64 = req.headers.get('upstash-encoding') === 'base64';
      const body = (await req.json()) as unknown[];
      const path = new URL(req.url).pathname;
      if (path === '/pipeline' || path === '/multi-exec') {
        return Response.json(await Promise.all((body as unknown[][]).map((c) => exec(c, base64))));
      }
      const out = await exec(body, base64);
      return Response.json(out, { status: 'error' in out ? 400 : 200 });
    },
  });
  return {
    url: `http://127.0.0.1:${server.port}`,
    token,
    async stop() {
      server.stop(true);
      redis.close();
    },
  };
}
