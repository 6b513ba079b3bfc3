/** @module The all-in-one entry: `bun services/all-in-one/src/main.ts`, or the compiled `syncroboard` binary. */
import { runMain } from '@syncro/kit/service';
import { startAll } from './index.ts';

await runMain('syncroboard', async (ctx) => {
  const { config, services } = await startAll(ctx);
  return { port: config.PORT, services };
});
