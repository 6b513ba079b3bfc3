/** @module Every table of `syncro_ticket_db`; drizzle-kit reads this file to generate migrations. */
export { outbox } from '@syncro/kit/outbox';
export { inbox } from '@syncro/kit/inbox';
export { projects, projectMembers } from '../projects/projects.model.ts';
export { tickets } from '../tickets/tickets.model.ts';
export { comments } from '../comments/comments.model.ts';
export { integrations, integrationDeliveries, integrationRefs } from '../integrations/integrations.model.ts';
export { webhookEndpoints, webhookDeliveries, webhookAttempts } from '../webhooks/webhooks.model.ts';
