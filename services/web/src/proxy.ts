/**
 * @module Forwards API requests and the `/ws` socket to the services, so the browser sees one origin.
 * Bodies pass through untouched (streamed). The Host the browser used is passed on, so the services'
 * same-origin checks (CSRF on cookie writes, the socket's Origin) compare against the board's origin.
 */
import type { Server, ServerWebSocket } from 'bun';

/** Hop-by-hop headers (RFC 9110 §7.6.1) are the proxy's own, never forwarded. */
const HOP = ['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'te', 'trailer', 'upgrade'];

export async function forward(request: Request, upstream: string, clientIp: string | undefined): Promise<Response> {
  const url = new URL(request.url);
  const target = new URL(url.pathname + url.search, upstream);
  const headers = new Headers(request.headers);
  for (const h of HOP) headers.delete(h);
  headers.set('x-forwarded-host', url.host);
  headers.set('x-forwarded-proto', url.protocol.replace(':', ''));
  if (clientIp) headers.set('x-forwarded-for', clientIp);
  try {
    const res = await fetch(target, {
      method: request.method,
      headers,
      body: request.method === 'GET' || request.method === 'HEAD' ? undefined : request.body,
      redirect: 'manual',
      // Bun would decompress and leave content-encoding: pass bytes as they came instead.
      decompress: false,
    } as RequestInit);
    const out = new Headers(res.headers);
    for (const h of HOP) out.delete(h);
    return new Response(res.body, { status: res.status, statusText: res.statusText, headers: out });
  } catch (err) {
    return Response.json({ error: { code: 'UNAVAILABLE', message: `${target.origin} did not answer: ${(err as Error).message}` } }, { status: 502 });
  }
}

export interface SocketData {
  target: string;
  headers: Record<string, string>;
  upstream?: WebSocket;
  pending: (string | Uint8Array)[];
}

/** Upgrades a browser's `/ws` request; the socket is joined to the hub's in `open`. */
export function upgradeSocket(server: Server<SocketData>, request: Request, upstream: string): Response | undefined {
  const url = new URL(request.url);
  const target = new URL(url.pathname + url.search, upstream);
  target.protocol = target.protocol === 'https:' ? 'wss:' : 'ws:';
  const headers: Record<string, string> = {};
  for (const name of ['cookie', 'authorization', 'origin', 'user-agent']) {
    const value = request.headers.get(name);
    if (value !== null) headers[name] = value;
  }
  headers.host = url.host;
  if (server.upgrade(request, { data: { target: target.toString(), headers, pending: [] } })) return undefined;
  return Response.json({ error: { code: 'BAD_REQUEST', message: '/ws takes a WebSocket upgrade' } }, { status: 400 });
}

/** Close codes a peer may send (1005/1006/1015 are reserved for reporting, never sent). */
const sendable = (code: number) => (code >= 3000 && code < 5000) || [1000, 1001, 1008, 1009, 1011, 1012, 1013].includes(code);

export const socketHandlers = {
  open(ws: ServerWebSocket<SocketData>) {
    const up = new WebSocket(ws.data.target, { headers: ws.data.headers } as never);
    up.binaryType = 'arraybuffer';
    ws.data.upstream = up;
    up.onopen = () => {
      for (const m of ws.data.pending) up.send(m);
      ws.data.pending = [];
    };
    up.onmessage = (e) => ws.send(typeof e.data === 'string' ? e.data : new Uint8Array(e.data as ArrayBuffer));
    // The hub's reasons (4001: token expired) reach the browser as they are; a refused upgrade is a policy close.
    up.onclose = (e) => ws.close(sendable(e.code) ? e.code : 1011, e.reason);
  },
  message(ws: ServerWebSocket<SocketData>, message: string | Buffer) {
    const up = ws.data.upstream;
    const m = typeof message === 'string' ? message : new Uint8Array(message);
    if (up?.readyState === WebSocket.OPEN) up.send(m);
    else ws.data.pending.push(m);
  },
  close(ws: ServerWebSocket<SocketData>, code: number, reason: string) {
    ws.data.upstream?.close(sendable(code) ? code : 1000, reason);
  },
};
