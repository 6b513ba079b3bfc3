/**
 * @module Starts the realtime hub for a test file: a real Ticket Service (its own database) and the
 * hub in this process on port 0, trusting one test IdP, with its own bridge group starting at the
 * shared topics' end. `socket()` opens a real WebSocket and collects its frames.
 */
import { serve, serviceContext, type Served } from '@syncro/kit/service';
import { eventually, startTestIdp, type TestIdp, type TestUser } from '@syncro/testing';
import { BROKERS, REDIS_URL, startTickets, type Tickets } from '@syncro/tickets/harness';
import { loadRealtimeConfig } from '../src/config.ts';
import { start, type RealtimeService } from '../src/index.ts';

export { eventually };

export interface HubOptions {
  idp?: TestIdp;
  tickets?: Tickets;
  redisUrl?: string;
  /** Run the bridge in this hub (default true). */
  bridge?: boolean;
  /** The service credential rooms read history with (default: a member's token). */
  serviceToken?: () => Promise<string>;
  /** Listen here (a restarted hub on the same address); default any free port. */
  port?: number;
  env?: Record<string, string>;
}

export async function startHub(opts: HubOptions = {}) {
  const ownIdp = !opts.idp && !opts.tickets;
  const idp = opts.tickets?.idp ?? opts.idp ?? (await startTestIdp());
  const ownTickets = !opts.tickets;
  const tickets = opts.tickets ?? (await startTickets({ idp }));
  const config = loadRealtimeConfig({
    KAFKA_BROKERS: BROKERS.join(','),
    KAFKA_GROUP_ID: `realtime-test-${crypto.randomUUID()}`,
    KAFKA_OFFSET_RESET: 'latest',
    REDIS_URL: opts.redisUrl ?? REDIS_URL,
    TICKETS_URL: tickets.url,
    JWKS_URL: idp.jwksUrl,
    AUTH_ISSUER: idp.issuer,
    AUTH_AUDIENCE: idp.audience,
    BRIDGE: opts.bridge === false ? '0' : '1',
    HOT_WINDOW_TTL_S: '600',
    ...opts.env,
  });
  const ctx = serviceContext('realtime-test');
  const service: RealtimeService = await start(ctx, { config, ...(opts.serviceToken ? { serviceToken: opts.serviceToken } : {}) });
  await service.bridge?.ready;
  const served: Served = serve('realtime', opts.port ?? 0, [service], ctx);
  const wsUrl = `ws://127.0.0.1:${served.port}/ws`;
  const opened: Socket[] = [];

  return {
    idp,
    tickets,
    service,
    url: served.url,
    port: served.port,
    wsUrl,
    /** Opens a socket with a Bearer token (or the given headers / query) and waits until it is open. */
    async socket(who: TestUser | { headers?: Record<string, string>; query?: string }) {
      const init = 'id' in who ? { headers: { authorization: `Bearer ${await idp.token(who)}` } } : { headers: who.headers ?? {} };
      const s = await openSocket(wsUrl + ('query' in who && who.query ? `?${who.query}` : ''), init.headers);
      opened.push(s);
      return s;
    },
    async stop() {
      for (const s of opened) s.close();
      service.closeSockets();
      await served.stop();
      if (ownTickets) await tickets.stop();
      if (ownIdp) await idp.stop();
    },
  };
}

export type Hub = Awaited<ReturnType<typeof startHub>>;

export interface Frame {
  event: string;
  data: any;
}

export interface Socket {
  ws: WebSocket;
  frames: Frame[];
  closed: Promise<{ code: number; reason: string }>;
  send(event: string, data?: unknown): void;
  /** The first frame (after those already taken by `next`) that matches, waiting for it. */
  next(match: string | ((f: Frame) => boolean), timeoutMs?: number): Promise<Frame>;
  /** The board frames (those with a version) of one project, in arrival order. */
  board(projectId: string): Frame[];
  close(): void;
}

export function openSocket(url: string, headers: Record<string, string> = {}): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { headers } as never);
    const frames: Frame[] = [];
    let taken = 0;
    const closed = new Promise<{ code: number; reason: string }>((r) => (ws.onclose = (e) => r({ code: e.code, reason: e.reason })));
    ws.onmessage = (e) => frames.push(JSON.parse(String(e.data)));
    ws.onerror = (e) => reject(new Error(`socket refused: ${(e as ErrorEvent).message}`));
    ws.onopen = () =>
      resolve({
        ws,
        frames,
        closed,
        send: (event, data) => ws.send(JSON.stringify({ event, data })),
        async next(match, timeoutMs = 10_000) {
          const test = typeof match === 'string' ? (f: Frame) => f.event === match : match;
          const found = await eventually(
            `a frame ${typeof match === 'string' ? match : 'matching'} (have ${JSON.stringify(frames.slice(taken).map((f) => f.event))})`,
            () => {
              const i = frames.findIndex((f, idx) => idx >= taken && test(f));
              return i >= 0 ? { i } : null;
            },
            timeoutMs,
          );
          taken = found.i + 1;
          return frames[found.i]!;
        },
        board: (projectId) => frames.filter((f) => f.data?.projectId === projectId && typeof f.data?.version === 'number' && f.event !== 'joined' && f.event !== 'resync'),
        close: () => ws.close(),
      });
  });
}
