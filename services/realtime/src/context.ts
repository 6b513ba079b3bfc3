/** @module What the hub's routes and handlers are given: passed in, never global. */
import type { TokenVerifier } from '@syncro/kit/auth';
import type { Logger } from '@syncro/kit/log';
import type { Server } from 'bun';
import type { Hub } from './rooms/hub.ts';
import type { ConnectionTickets } from './socket/connectionTickets.ts';
import type { TicketsApi } from './tickets/ticketsApi.ts';

export interface RealtimeDeps {
  hub: Hub;
  tickets: ConnectionTickets;
  api: TicketsApi;
  verify: TokenVerifier;
  logger: Logger;
  allowedOrigins: string[];
  /** The Bun server whose `publish` fans frames out (known once the first socket opens). */
  setServer(server: Server<unknown>): void;
}
