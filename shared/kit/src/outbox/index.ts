/** @module The transactional outbox: table, append-in-transaction, and the relay. */
export * from './table.ts';
export * from './append.ts';
export * from './relay.ts';
