/** @module The cache port and its adapters (Bun RedisClient, Upstash REST, in-process with Lua). */
export * from './port.ts';
export * from './redis.ts';
export * from './upstash.ts';
export * from './memory.ts';
