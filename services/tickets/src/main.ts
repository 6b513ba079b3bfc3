/** @module Runs the Ticket Service alone: `bun services/tickets/src/main.ts`. */
import { serve, serviceContext, stopOnSignals } from '@syncro/kit/service';
import { loadTicketConfig } from './config.ts';
import { start } from './index.ts';

const ctx = serviceContext('tickets');
try {
  const config = loadTicketConfig();
  const tickets = await start(ctx, { config });
  stopOnSignals(serve('tickets', config.PORT, [tickets], ctx), ctx.logger);
} catch (err) {
  ctx.logger.error('tickets failed to start', { err });
  console.error((err as Error).message);
  process.exit(1);
}
