import { afterAll, describe, expect, test } from 'bun:test';
import { createMemoryCache, createRedisCache } from '@syncro/kit/cache';
import { createLogger } from '@syncro/kit/log';
import { TRUST_MS, boardKey, createBoardCache, fenceKey } from './boardCache.ts';

const cache = createRedisCache({ url: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379' });
const board = createBoardCache(cache, createLogger({ test: 'boardCache' }));
const memory = createMemoryCache();
afterAll(() => {
  cache.close();
  memory.close();
});

describe('board cache fence', () => {
  // The fence script runs on Redis and on the in-process cache the binary uses when REDIS_URL is unset.
  test.each([
    ['Redis', cache, board],
    ['in-process', memory, createBoardCache(memory, createLogger({ test: 'boardCache-memory' }))],
  ] as const)('%s: a slow reader cannot store a board older than the last invalidation', async (_name, cache, board) => {
    const projectId = crypto.randomUUID();
    const member = crypto.randomUUID();
    // A reader computed version 5; meanwhile a writer committed 6 and invalidated.
    await board.invalidate(projectId, 6);
    await board.write(projectId, { version: 5, members: [member], body: '{"version":5}' });
    expect(await cache.get(boardKey(projectId))).toBeNull();
    // A reader that saw version 6 may store it.
    await board.write(projectId, { version: 6, members: [member], body: '{"version":6}' });
    const read = await board.read(projectId);
    expect(read && { version: read.version, members: read.members, body: new TextDecoder().decode(read.body) }).toEqual({ version: 6, members: member, body: '{"version":6}' });
    await board.invalidate(projectId, 7);
    expect(await board.read(projectId)).toBeNull();
  });

  test("another process's invalidation: the in-memory copy is served until TRUST_MS runs out, then not", async () => {
    const projectId = crypto.randomUUID();
    let clock = 0;
    const here = createBoardCache(cache, createLogger({ test: 'this-process' }), () => clock);
    const other = createBoardCache(cache, createLogger({ test: 'other-process' }));
    await here.write(projectId, { version: 3, members: ['m'], body: '{"version":3}' });
    await other.invalidate(projectId, 4);
    // Still inside the trust window the write opened: the copy at version 3 is served (by design).
    clock = TRUST_MS - 1;
    expect((await here.read(projectId))?.version).toBe(3);
    // Past it, the fence read finds 4 and the copy is dropped: the next read is a miss.
    clock = TRUST_MS;
    expect(await here.read(projectId)).toBeNull();
    expect(await here.read(projectId)).toBeNull();
  });

  test('a lost fence (Redis flushed) means the in-memory copy is not trusted', async () => {
    const projectId = crypto.randomUUID();
    await board.write(projectId, { version: 2, members: ['m'], body: '{"version":2}' });
    await cache.del(fenceKey(projectId), boardKey(projectId));
    await Bun.sleep(TRUST_MS + 5);
    expect(await board.read(projectId)).toBeNull();
  });
});
