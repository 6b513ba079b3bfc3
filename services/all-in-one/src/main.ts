/** @module The all-in-one entry from the sources: `bun services/all-in-one/src/main.ts [command]`. */
import { runCli } from './cli.ts';

await runCli(process.argv.slice(2));
