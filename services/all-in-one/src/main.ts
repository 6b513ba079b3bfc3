/** @module The all-in-one entry: `bun services/all-in-one/src/main.ts`, or the compiled `syncroboard` binary. */
import { serve, serviceContext, stopOnSignals } from '@syncro/kit/service';
import { startAll } from './index.ts';

const ctx = serviceContext('syncroboard');
try {
  const { config, services } = await startAll(ctx);
  stopOnSignals(serve('syncroboard', config.PORT, services, ctx), ctx.logger);
} catch (err) {
  ctx.logger.error('syncroboard failed to start', { err });
  console.error((err as Error).message);
  process.exit(1);
}
