/** @module The cache port and its adapters (Bun RedisClient, Upstash REST). */
export * from './port.ts';
export * from './redis.ts';
export * from './upstash.ts';
