/** @module Runs the Auth Service alone: `bun services/auth/src/main.ts`. */
import { runMain } from '@syncro/kit/service';
import { loadAuthConfig } from './config.ts';
import { start } from './index.ts';

await runMain('auth', async (ctx) => {
  const config = loadAuthConfig();
  return { port: config.PORT, services: [await start(ctx, { config })] };
});
