/**
 * @module One-time connection tickets for clients that cannot send a header or cookie on the upgrade:
 * a random 256-bit value in Redis for 30 s holding the caller's token, taken with GETDEL (used once).
 * The URL carries the ticket, never the JWT.
 */
import type { Cache } from '@syncro/kit/cache';

export const TICKET_TTL_S = 30;
const key = (ticket: string) => `realtime:ticket:${ticket}`;

export function createConnectionTickets(cache: Cache) {
  return {
    async issue(token: string): Promise<{ ticket: string; expiresIn: number }> {
      const ticket = Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString('base64url');
      await cache.set(key(ticket), token, TICKET_TTL_S);
      return { ticket, expiresIn: TICKET_TTL_S };
    },
    /** The token the ticket was issued for, once; null when unknown, expired or already used. */
    async redeem(ticket: string): Promise<string | null> {
      if (!/^[A-Za-z0-9_-]{43}$/.test(ticket)) return null;
      return (await cache.eval(`return redis.call('GETDEL', KEYS[1])`, [key(ticket)], [])) as string | null;
    },
  };
}

export type ConnectionTickets = ReturnType<typeof createConnectionTickets>;
