/**
 * @module Answers the board's own paths from a build: hashed assets (a year, immutable, gzip when the
 * browser takes it) and index.html for every page the app routes itself (`/`, `/login`, `/p/SYNC`,
 * `/p/SYNC/SYNC-12`), never cached, so a deploy is picked up on the next load.
 */
import type { Assets } from './build.ts';

/**
 * The app's own routes, in Elysia's syntax (`/*`: anything below): the one list both the web server
 * and the all-in-one's web role serve. Anything else is not ours (a 404, or an API path in front of us).
 */
export const PAGE_ROUTES = ['/', '/login', '/invite', '/p', '/p/*'] as const;

export const isPagePath = (path: string) => PAGE_ROUTES.some((r) => (r.endsWith('/*') ? path.startsWith(r.slice(0, -1)) : path === r));

export function servePage(assets: Assets, request: Request): Response | null {
  const path = new URL(request.url).pathname;
  const asset = isPagePath(path) ? assets.get('/index.html') : assets.get(path);
  if (!asset) return null;
  const gzip = /\bgzip\b/.test(request.headers.get('accept-encoding') ?? '');
  const headers: Record<string, string> = {
    'content-type': asset.type,
    'cache-control': asset.immutable ? 'public, max-age=31536000, immutable' : 'no-cache',
    vary: 'accept-encoding',
    'x-content-type-options': 'nosniff',
  };
  if (!asset.immutable) {
    headers['content-security-policy'] = "default-src 'self'; connect-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'";
  }
  if (gzip) headers['content-encoding'] = 'gzip';
  return new Response(request.method === 'HEAD' ? null : gzip ? asset.gzip : asset.body, { headers });
}
