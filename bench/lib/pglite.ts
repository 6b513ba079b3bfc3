/**
 * @module PGlite (WASM Postgres in this process) served over the wire protocol by pglite-socket, so
 * postgres.js talks to it unchanged. Kept for the measurement in bench/embedded.ts, which is why the
 * embedded default is `embedded-postgres.ts` instead: one PGlite is one session, shared by every
 * client of the multiplexer.
 */
import { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';

export interface PgliteOptions {
  dataDir: string;
  /** Clients the multiplexer accepts at once (they still run one query at a time). */
  maxConnections?: number;
}

export async function startPglite({ dataDir, maxConnections = 64 }: PgliteOptions) {
  const db = await PGlite.create(dataDir);
  const server = new PGLiteSocketServer({ db, port: 0, host: '127.0.0.1', maxConnections });
  await server.start();
  const port = Number((server as unknown as { port: number }).port);
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    port,
    async stop() {
      await server.stop();
      await db.close();
    },
  };
}
