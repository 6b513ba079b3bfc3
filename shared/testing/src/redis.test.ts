/** The throwaway Redis really goes down and comes back. */
import { afterAll, expect, test } from 'bun:test';
import { existsSync } from 'node:fs';
import { RedisClient } from 'bun';
import { startThrowawayRedis, type ThrowawayRedis } from './redis.ts';

let redis: ThrowawayRedis | undefined;
afterAll(() => redis?.dispose());

const client = (url: string) => new RedisClient(url, { autoReconnect: false, enableOfflineQueue: false, connectionTimeout: 1000 });
const connected = async (url: string) => {
  const c = client(url);
  await c.connect();
  return c;
};

test('start, SET/GET, stop -> refused, start -> works again, dispose', async () => {
  redis = await startThrowawayRedis();
  expect(redis.url).toBe(`redis://127.0.0.1:${redis.port}`);

  const a = await connected(redis.url);
  await a.set('k', 'v1');
  expect(await a.get('k')).toBe('v1');
  a.close();

  await redis.stop();
  const down = client(redis.url);
  await expect(down.connect()).rejects.toThrow();
  down.close();

  await redis.start();
  const b = await connected(redis.url);
  expect(await b.get('k')).toBeNull(); // no persistence: a restart is an empty Redis
  await b.set('k', 'v2');
  expect(await b.get('k')).toBe('v2');
  b.close();

  const dir = redis.dir;
  await redis.dispose();
  expect(existsSync(dir)).toBe(false);
  const gone = client(redis.url);
  await expect(gone.connect()).rejects.toThrow();
  gone.close();
  await redis.dispose(); // idempotent
});

test('two throwaway servers are independent', async () => {
  await using r1 = await startThrowawayRedis();
  await using r2 = await startThrowawayRedis();
  expect(r1.port).not.toBe(r2.port);
  const c1 = await connected(r1.url);
  const c2 = await connected(r2.url);
  await c1.set('who', 'one');
  expect(await c2.get('who')).toBeNull();
  c1.close();
  c2.close();
});
