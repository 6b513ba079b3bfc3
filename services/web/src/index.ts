/**
 * @module The board as a role of the all-in-one process: its pages and assets behind the same
 * HTTP kit as the APIs, on the same origin. Only the app's own paths are routed here (`PAGE_ROUTES`:
 * `/`, `/login`, `/invite`, `/p/*`; and `/assets/*`), so no API route or `/ws` is ever shadowed.
 */
import { Elysia } from 'elysia';
import type { RunningService, ServiceContext } from '@syncro/kit/service';
import { buildBoard, type Assets } from './build.ts';
import { PAGE_ROUTES, servePage } from './pages.ts';

export { buildBoard } from './build.ts';
export { loadWebConfig, type WebConfig } from './config.ts';
export { startWebServer } from './server.ts';

const unavailable = () =>
  Response.json({ error: { code: 'UNAVAILABLE', message: 'The board was not built into this process (its sources are missing); the APIs still work' } }, { status: 503 });

export async function startWeb(ctx: ServiceContext, opts: { assets?: Assets } = {}): Promise<RunningService> {
  let assets: Assets | null = opts.assets ?? null;
  if (!assets) {
    try {
      assets = await buildBoard();
    } catch (err) {
      // The compiled binary carries no app sources: the APIs must still come up.
      ctx.logger.warn('the board could not be built; serving the APIs only', { err });
    }
  }
  const page = ({ request }: { request: Request }) => (assets ? (servePage(assets, request) ?? unavailable()) : unavailable());
  const plugin = new Elysia({ name: 'web' });
  for (const route of PAGE_ROUTES) plugin.get(route, page);
  plugin.get('/assets/*', (c) => (assets ? (servePage(assets, c.request) ?? Response.json({ error: { code: 'NOT_FOUND', message: `No asset ${new URL(c.request.url).pathname}` } }, { status: 404 })) : unavailable()));
  return { name: 'web', plugin, checks: {}, stop: async () => {} };
}
