/** @module Every table of `syncro_notify_db`; drizzle-kit reads this file to generate migrations. */
export { outbox } from '@syncro/kit/outbox';
export { inbox } from '@syncro/kit/inbox';
export { users, projects, members, tickets, comments, waiting } from '../projection/projection.model.ts';
export { preferences, projectMutes, pushSubscriptions } from '../preferences/preferences.model.ts';
export { notifications } from '../feed/feed.model.ts';
export { deliveries } from '../delivery/delivery.model.ts';
