/** @module @syncro/contracts: event schemas and value types; depends on valibot alone. */
export * from './primitives.ts';
export * from './events.ts';
export * from './catalog.ts';
