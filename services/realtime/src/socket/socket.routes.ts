/**
 * @module The WebSocket at `/ws`: authenticated at the upgrade (the kit's `wsGuard`: Bearer header
 * or same-origin cookie, or a one-time `?ticket=`), closed with 4001 when its token expires; every
 * inbound frame checked (valibot, 64 KiB), then handed to the hub.
 */
import { credentialFrom, wsGuard } from '@syncro/kit/auth';
import { DomainError } from '@syncro/kit/errors';
import { HttpError } from '@syncro/kit/http';
import { CloseCode, MAX_FRAME_BYTES, frame, parseClientFrame, type ClientFrame } from '@syncro/realtime-client/frames';
import { Elysia } from 'elysia';
import { decodeJwt } from 'jose';
import type { RealtimeDeps } from '../context.ts';
import type { Conn } from '../rooms/room.ts';

interface RawSocket {
  getBufferedAmount(): number;
  send(m: string): number;
  subscribe(t: string): void;
  unsubscribe(t: string): void;
  publish(t: string, m: string): number;
  close(code?: number, reason?: string): void;
}

interface Socket {
  conn: Conn;
  raw: RawSocket;
  expiry: ReturnType<typeof setTimeout> | undefined;
}

const sizeOf = (message: unknown) =>
  typeof message === 'string' ? Buffer.byteLength(message) : Buffer.isBuffer(message) ? message.length : Buffer.byteLength(JSON.stringify(message) ?? '');

/** The open sockets of this instance, so a shutdown can close them (the server's graceful stop waits for them). */
export class SocketRegistry {
  readonly sockets = new Map<string, Socket>();
  private sweeper: ReturnType<typeof setInterval> | null = null;
  /** Slow readers closed, for the metric. */
  slowClosed = 0;

  get size() {
    return this.sockets.size;
  }

  /**
   * Bounds what a slow reader costs: a socket with more than `limitBytes` waiting to be written is
   * closed with 1013 (try again later), and its client resumes. Checked every `everyMs`.
   */
  guardBackpressure(limitBytes: number, everyMs: number) {
    this.sweeper = setInterval(() => {
      for (const s of this.sockets.values()) {
        if (s.raw.getBufferedAmount() > limitBytes) {
          this.slowClosed++;
          s.raw.close(1013, 'Too slow to read the board; reconnect and resume');
        }
      }
    }, everyMs);
    this.sweeper.unref?.();
  }

  stop() {
    if (this.sweeper) clearInterval(this.sweeper);
  }

  /** 1012 "service restart": clients reconnect (to another instance) and resume. */
  closeAll(code = 1012, reason = 'The hub is restarting; reconnect and resume') {
    for (const s of this.sockets.values()) s.raw.close(code, reason);
  }
}

export function socketRoutes(deps: RealtimeDeps, registry: SocketRegistry) {
  const { sockets } = registry;
  const { hub } = deps;

  const closeExpired = (s: Socket) => s.raw.close(CloseCode.tokenExpired, 'The access token has expired; refresh it and reconnect');

  const handle = async (s: Socket, f: ClientFrame) => {
    const { conn } = s;
    switch (f.event) {
      case 'joinProject':
        return hub.join(conn, f.data, () => closeExpired(s));
      case 'leaveProject':
        if (hub.leave(conn, f.data.projectId)) return conn.send(frame('left', { projectId: f.data.projectId }));
        return conn.send(frame('error', { code: 'NOT_JOINED', message: `You have not joined project ${f.data.projectId}`, projectId: f.data.projectId }));
      case 'userTyping': {
        const room = hub.roomOf(conn, f.data.projectId);
        if (!room) return conn.send(frame('error', { code: 'NOT_JOINED', message: `Join project ${f.data.projectId} before typing in it`, projectId: f.data.projectId }));
        return hub.typing(room, conn, f.data.ticketId);
      }
      case 'ticketMoved': {
        const refusal = await deps.api.move(f.data.ticketId, f.data.newStatus, conn.token);
        if (refusal?.status === 401) return closeExpired(s);
        if (refusal) {
          return conn.send(frame('error', { code: refusal.code, message: refusal.message, ...(f.data.requestId ? { requestId: f.data.requestId } : {}), ...(refusal.details !== undefined ? { details: refusal.details } : {}) }));
        }
        return;
      }
      case 'ping':
        return conn.send(frame('pong', { at: new Date().toISOString() }));
    }
  };

  return (
    new Elysia({ name: 'realtime.socket' })
      // Fan-out goes through the server's own publish; a socket's context does not carry the server.
      .onStart(({ server }) => {
        if (server) deps.setServer(server);
      })
      // A one-time ticket stands in for the header: the token it holds goes through wsGuard like any other.
      .derive({ as: 'local' }, async ({ request, query }) => {
        const ticket = (query as Record<string, string | undefined>).ticket;
        if (ticket === undefined) return {};
        const token = await deps.tickets.redeem(ticket);
        if (!token) throw new HttpError(401, 'TICKET_INVALID', 'The connection ticket is unknown, expired or already used');
        request.headers.set('authorization', `Bearer ${token}`);
        return {};
      })
      .use(wsGuard(deps.verify, { allowedOrigins: deps.allowedOrigins, seed: 'realtime' }))
      .resolve({ as: 'local' }, ({ request }) => {
        const token = credentialFrom(request.headers)!.token;
        const exp = decodeJwt(token).exp;
        return { token, expiresAt: exp === undefined ? null : exp * 1000 };
      })
      .ws('/ws', {
        open(ws) {
          const raw = ws.raw as unknown as RawSocket;
          const conn: Conn = {
            id: ws.id,
            user: { id: ws.data.user.id, name: ws.data.user.name },
            token: ws.data.token,
            send: (m) => void raw.send(m),
            subscribe: (t) => raw.subscribe(t),
            unsubscribe: (t) => {
              try {
                raw.unsubscribe(t);
              } catch {
                /* already closed */
              }
            },
            publish: (t, m) => void raw.publish(t, m),
          };
          const s: Socket = { conn, raw, expiry: undefined };
          sockets.set(ws.id, s);
          hub.connect(conn);
          if (ws.data.expiresAt !== null) {
            // setTimeout holds at most ~24.8 days; access tokens live minutes.
            s.expiry = setTimeout(() => closeExpired(s), Math.max(0, Math.min(ws.data.expiresAt - Date.now(), 2 ** 31 - 1)));
          }
        },
        async message(ws, message) {
          const s = sockets.get(ws.id);
          if (!s) return;
          if (sizeOf(message) > MAX_FRAME_BYTES) return s.raw.close(CloseCode.tooBig, `Frames are limited to ${MAX_FRAME_BYTES} bytes`);
          const parsed = parseClientFrame(message);
          if (!parsed.ok) return s.conn.send(frame('error', parsed.problem));
          try {
            await handle(s, parsed.frame);
          } catch (err) {
            if (err instanceof DomainError) return s.conn.send(frame('error', { code: err.code, message: err.message }));
            deps.logger.error('socket frame failed', { event: parsed.frame.event, err });
            s.conn.send(frame('error', { code: 'INTERNAL', message: `${parsed.frame.event} failed; try again` }));
          }
        },
        close(ws) {
          const s = sockets.get(ws.id);
          if (!s) return;
          sockets.delete(ws.id);
          clearTimeout(s.expiry);
          hub.disconnect(s.conn);
        },
      })
  );
}
