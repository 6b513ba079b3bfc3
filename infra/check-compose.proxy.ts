/**
 * @module deploy/Caddyfile as data: which upstream placeholders (`{$NAME:host:port}`) each path
 * prefix goes to. Read by infra/check-compose.ts (every upstream a compose service running the role
 * that owns the prefix) and by the scale-out test (the same placeholders pointed at native processes).
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';

export const CADDYFILE = resolve(import.meta.dir, '../deploy/Caddyfile');

export interface Upstream {
  /** The environment variable that moves it (`AUTH_UPSTREAM`). */
  variable: string;
  /** Its default: the compose service and the port it listens on. */
  host: string;
  port: number;
}

export interface Route {
  /** The matcher's paths (`/auth`, `/auth/*`); empty for the catch-all `handle`. */
  paths: string[];
  upstreams: Upstream[];
}

/** A path under each prefix and the role that owns it (the table of services/web/src/config.ts upstreamFor). */
export const PATH_OWNERS: Record<string, string> = {
  '/auth/me': 'auth',
  '/.well-known/jwks.json': 'auth',
  '/projects': 'tickets',
  '/projects/SYNC/board': 'tickets',
  '/tickets/SYNC-1': 'tickets',
  '/hooks/1': 'tickets',
  '/assignment/tickets/1': 'assignment',
  '/notifications': 'notifications',
  '/notifications/preferences': 'notifications',
  '/realtime/ticket': 'realtime',
  '/ws': 'realtime',
};

const PLACEHOLDER = /\{\$([A-Z0-9_]+):([a-z0-9.-]+):(\d+)\}/g;

/** The body of each `handle [@matcher] { … }` block, braces counted (reverse_proxy has its own). */
function handleBlocks(text: string): { matcher: string | null; body: string }[] {
  const blocks: { matcher: string | null; body: string }[] = [];
  for (const m of text.matchAll(/^\s*handle(?:\s+@([\w-]+))?\s*\{/gm)) {
    let depth = 1;
    let i = m.index! + m[0].length;
    const start = i;
    for (; i < text.length && depth > 0; i++) {
      if (text[i] === '{' && text[i + 1] !== '$') depth++;
      else if (text[i] === '{' && text[i + 1] === '$') i = text.indexOf('}', i);
      else if (text[i] === '}') depth--;
    }
    blocks.push({ matcher: m[1] ?? null, body: text.slice(start, i - 1) });
  }
  return blocks;
}

export function parseCaddyfile(text: string): Route[] {
  const noComments = text.replace(/^\s*#.*$/gm, '');
  const matchers = new Map<string, string[]>();
  for (const m of noComments.matchAll(/^\s*@([\w-]+)\s+path\s+(.+)$/gm)) matchers.set(m[1]!, m[2]!.trim().split(/\s+/));
  return handleBlocks(noComments).map(({ matcher, body }) => ({
    paths: matcher ? (matchers.get(matcher) ?? []) : [],
    upstreams: [...body.matchAll(PLACEHOLDER)].map((u) => ({ variable: u[1]!, host: u[2]!, port: Number(u[3]) })),
  }));
}

export const readCaddyfile = (file = CADDYFILE) => parseCaddyfile(readFileSync(file, 'utf8'));

/** The route a request path takes: the first matcher that covers it, else the catch-all. */
export function routeFor(routes: Route[], path: string): Route | undefined {
  const covers = (p: string) => p === path || (p.endsWith('/*') && path.startsWith(p.slice(0, -1)));
  return routes.find((r) => r.paths.some(covers)) ?? routes.find((r) => r.paths.length === 0);
}
