/**
 * @module One-time connection tickets for clients that cannot send a header or cookie on the upgrade:
 * a random 256-bit value in Redis for 30 s holding the caller's token, taken with GETDEL (used once).
 * The URL carries the ticket, never the JWT.
 */
import type { Cache } from '@syncro/kit/cache';
import { Unavailable } from '@syncro/kit/errors';

export const TICKET_TTL_S = 30;
const key = (ticket: string) => `realtime:ticket:${ticket}`;
const unavailable = (err: Error): never => {
  throw new Unavailable(`Connection tickets are unavailable: ${err.message}`);
};

export function createConnectionTickets(cache: Cache) {
  return {
    async issue(token: string): Promise<{ ticket: string; expiresIn: number }> {
      const ticket = Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString('base64url');
      await cache.set(key(ticket), token, TICKET_TTL_S).catch(unavailable);
      return { ticket, expiresIn: TICKET_TTL_S };
    },
    /** The token the ticket was issued for, once; null when unknown, expired or already used. */
    async redeem(ticket: string): Promise<string | null> {
      if (!/^[A-Za-z0-9_-]{43}$/.test(ticket)) return null;
      return (await cache.eval(`return redis.call('GETDEL', KEYS[1])`, [key(ticket)], []).catch(unavailable)) as string | null;
    },
  };
}

export type ConnectionTickets = ReturnType<typeof createConnectionTickets>;
