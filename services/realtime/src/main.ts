/** @module Runs the realtime hub alone: `bun services/realtime/src/main.ts`. */
import { runMain } from '@syncro/kit/service';
import { loadRealtimeConfig } from './config.ts';
import { start } from './index.ts';

await runMain('realtime', async (ctx) => {
  const config = loadRealtimeConfig();
  return { port: config.PORT, services: [await start(ctx, { config })] };
});
