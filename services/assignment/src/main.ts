/** @module Runs the Assignment Service alone: `bun services/assignment/src/main.ts`. */
import { runMain } from '@syncro/kit/service';
import { loadAssignmentConfig } from './config.ts';
import { start } from './index.ts';

await runMain('assignment', async (ctx) => {
  const config = loadAssignmentConfig();
  return { port: config.PORT, services: [await start(ctx, { config })] };
});
