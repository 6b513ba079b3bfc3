/** @module Runs the Notification Service alone: `bun services/notifications/src/main.ts`. */
import { runMain } from '@syncro/kit/service';
import { loadNotifyConfig } from './config.ts';
import { start } from './index.ts';

await runMain('notifications', async (ctx) => {
  const config = loadNotifyConfig();
  return { port: config.PORT, services: [await start(ctx, { config })] };
});
