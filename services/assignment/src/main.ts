/** @module Runs the Assignment Service alone: `bun services/assignment/src/main.ts`. */
import { serve, serviceContext, stopOnSignals } from '@syncro/kit/service';
import { loadAssignmentConfig } from './config.ts';
import { start } from './index.ts';

const ctx = serviceContext('assignment');
try {
  const config = loadAssignmentConfig();
  const assignment = await start(ctx, { config });
  stopOnSignals(serve('assignment', config.PORT, [assignment], ctx), ctx.logger);
} catch (err) {
  ctx.logger.error('assignment failed to start', { err });
  console.error((err as Error).message);
  process.exit(1);
}
