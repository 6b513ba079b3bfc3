import { createRedisCache } from './redis.ts';
import { cacheSuite } from '@syncro/testing/cache.case';

cacheSuite('bun-redis', async () => ({ cache: createRedisCache({ url: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379' }) }));
