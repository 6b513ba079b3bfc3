/** @module Runs the Ticket Service alone: `bun services/tickets/src/main.ts`. */
import { runMain } from '@syncro/kit/service';
import { loadTicketConfig } from './config.ts';
import { start } from './index.ts';

await runMain('tickets', async (ctx) => {
  const config = loadTicketConfig();
  return { port: config.PORT, services: [await start(ctx, { config })] };
});
