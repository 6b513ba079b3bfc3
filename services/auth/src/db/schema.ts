/** @module Every table of `syncro_auth_db`; drizzle-kit reads this file to generate migrations. */
export { outbox } from '@syncro/kit/outbox';
export { users, identities } from '../users/users.model.ts';
export { refreshTokens } from '../sessions/sessions.model.ts';
export { personalAccessTokens } from '../pats/pats.model.ts';
export { invites } from '../invites/invites.model.ts';
