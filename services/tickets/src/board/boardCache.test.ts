import { afterAll, describe, expect, test } from 'bun:test';
import { createRedisCache } from '@syncro/kit/cache';
import { createLogger } from '@syncro/kit/log';
import { boardKey, createBoardCache } from './boardCache.ts';

const cache = createRedisCache({ url: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379' });
const board = createBoardCache(cache, createLogger({ test: 'boardCache' }));
afterAll(() => cache.close());

describe('board cache fence', () => {
  test('a slow reader cannot store a board older than the last invalidation', async () => {
    const projectId = crypto.randomUUID();
    // A reader computed version 5; meanwhile a writer committed 6 and invalidated.
    await board.invalidate(projectId, 6);
    await board.write(projectId, 'members\n{"version":5}', 5);
    expect(await cache.get(boardKey(projectId))).toBeNull();
    // A reader that saw version 6 may store it.
    await board.write(projectId, 'members\n{"version":6}', 6);
    expect(await board.read(projectId)).toBe('members\n{"version":6}');
    await board.invalidate(projectId, 7);
    expect(await board.read(projectId)).toBeNull();
  });
});
