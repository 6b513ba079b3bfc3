/** @module Runs the Auth Service alone: `bun services/auth/src/main.ts`. */
import { serve, serviceContext, stopOnSignals } from '@syncro/kit/service';
import { loadAuthConfig } from './config.ts';
import { start } from './index.ts';

const ctx = serviceContext('auth');
try {
  const config = loadAuthConfig();
  const auth = await start(ctx, { config });
  stopOnSignals(serve('auth', config.PORT, [auth], ctx), ctx.logger);
} catch (err) {
  ctx.logger.error('auth failed to start', { err });
  console.error((err as Error).message);
  process.exit(1);
}
