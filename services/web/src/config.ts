/** @module The web service's environment: its port and where each service it forwards to lives. */
import { env, loadConfig } from '@syncro/kit/config';
import * as v from 'valibot';

export const WebConfig = v.object({
  PORT: env.port(3006),
  AUTH_URL: env.url('http://127.0.0.1:3001'),
  TICKETS_URL: env.url('http://127.0.0.1:3002'),
  ASSIGNMENT_URL: env.url('http://127.0.0.1:3003'),
  NOTIFICATIONS_URL: env.url('http://127.0.0.1:3004'),
  REALTIME_URL: env.url('http://127.0.0.1:3005'),
});
export type WebConfig = v.InferOutput<typeof WebConfig>;

export const loadWebConfig = (source: Record<string, string | undefined> = process.env) => loadConfig(WebConfig, source);

/** Which service answers a path (first match wins); `null`: the board's own pages. */
export function upstreamFor(config: WebConfig, path: string): string | null {
  const routes: [string, string][] = [
    ['/auth', config.AUTH_URL],
    ['/.well-known', config.AUTH_URL],
    ['/projects', config.TICKETS_URL],
    ['/tickets', config.TICKETS_URL],
    ['/hooks', config.TICKETS_URL],
    ['/assignment', config.ASSIGNMENT_URL],
    ['/notifications', config.NOTIFICATIONS_URL],
    ['/realtime', config.REALTIME_URL],
    ['/ws', config.REALTIME_URL],
  ];
  for (const [prefix, url] of routes) if (path === prefix || path.startsWith(prefix + '/')) return url;
  return null;
}
