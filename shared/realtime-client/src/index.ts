/** @module @syncro/realtime-client: the hub's frames (shared with the hub) and, later, the browser client. */
export * from './frames.ts';
