/** @module @syncro/realtime-client: the hub's frames (shared with the hub) and the client library. */
export * from './frames.ts';
export * from './client.ts';
