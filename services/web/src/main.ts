/** @module Runs the board alone: `bun services/web/src/main.ts` (PORT 3006, the services' URLs from the environment). */
import { loadWebConfig } from './config.ts';
import { startWebServer } from './server.ts';

try {
  const web = await startWebServer(loadWebConfig());
  console.log(`SyncroBoard web board on http://127.0.0.1:${web.port}/`);
  const stop = () => void web.stop().then(() => process.exit(0));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
} catch (err) {
  console.error((err as Error).message);
  process.exit(1);
}
