/** @module The JSON shapes of users and sessions. */
import type { IssuedSession } from '../sessions/sessionIssuer.ts';
import type { UserRow } from './users.model.ts';

export const presentUser = (u: UserRow) => ({
  id: u.id,
  email: u.email,
  name: u.name,
  picture: u.picture,
  locale: u.locale,
  createdAt: u.createdAt.toISOString(),
});

/** `refreshToken` is left out when it travels in its HttpOnly cookie instead. */
export const presentSession = (s: IssuedSession, withRefresh: boolean) => ({
  accessToken: s.accessToken,
  tokenType: 'Bearer' as const,
  expiresIn: s.expiresIn,
  ...(withRefresh ? { refreshToken: s.refreshToken, refreshExpiresIn: s.refreshExpiresIn } : {}),
});
