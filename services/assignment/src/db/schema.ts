/** @module Every table of `syncro_assign_db`; drizzle-kit reads this file to generate migrations. */
export { outbox } from '@syncro/kit/outbox';
export { inbox } from '@syncro/kit/inbox';
export { projects, members, tickets, parkedEvents } from '../projection/projection.model.ts';
export { decisions } from '../assigning/decisions.model.ts';
