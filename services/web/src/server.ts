/**
 * @module The board served on its own (`services/web/src/main.ts`, :3006): pages from the build, and
 * every API path and `/ws` forwarded to the service behind it, so the browser sees one origin.
 */
import type { Server } from 'bun';
import { buildBoard, type Assets } from './build.ts';
import { upstreamFor, type WebConfig } from './config.ts';
import { forward, socketHandlers, upgradeSocket, type SocketData } from './proxy.ts';
import { servePage } from './pages.ts';

export async function startWebServer(config: WebConfig, opts: { assets?: Assets; hostname?: string } = {}) {
  const assets = opts.assets ?? (await buildBoard());
  const server: Server<SocketData> = Bun.serve<SocketData>({
    port: config.PORT,
    hostname: opts.hostname ?? process.env.HOST ?? '0.0.0.0',
    idleTimeout: 120,
    websocket: { ...socketHandlers, idleTimeout: 120 },
    fetch(request, srv) {
      const path = new URL(request.url).pathname;
      if (path === '/health') return Response.json({ status: 'ok', service: 'web' });
      const upstream = upstreamFor(config, path);
      if (upstream && path === '/ws') return upgradeSocket(srv, request, upstream);
      if (upstream) return forward(request, upstream, srv.requestIP(request)?.address);
      if (request.method === 'GET' || request.method === 'HEAD') {
        const page = servePage(assets, request);
        if (page) return page;
      }
      return Response.json({ error: { code: 'NOT_FOUND', message: `No route for ${request.method} ${path}` } }, { status: 404 });
    },
  });
  return { server, url: `http://127.0.0.1:${server.port}`, port: server.port!, stop: () => server.stop(true) };
}
