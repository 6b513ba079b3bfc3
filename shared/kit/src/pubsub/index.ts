/** @module The pub/sub port (the realtime hub's channels) and its adapters: Redis, in-process. */
export * from './port.ts';
export * from './memory.ts';
export * from './redis.ts';
