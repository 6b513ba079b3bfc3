/** @module Test helpers shared by every service: identities, databases, brokers, throwaway servers. */
export * from './tokens.ts';
export * from './db.ts';
export * from './http.ts';
export * from './events.ts';
export * from './eventually.ts';
