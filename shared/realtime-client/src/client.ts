/**
 * @module The realtime client for the board and for tests: one socket, several projects; reconnects
 * with jittered exponential backoff; remembers the last version applied per project and resumes from
 * it; re-authenticates on 4001; reports `connecting | connected | reconnecting | resyncing | closed`
 * for a UI banner. Board frames reach `onFrame` once each, in version order.
 */
import { BOARD_EVENTS, CloseCode, type ClientEvent, type ServerFrame } from './frames.ts';

export type ConnectionStatus = 'connecting' | 'connected' | 'reconnecting' | 'resyncing' | 'closed';

/** How one connection attempt authenticates: a header (Bearer; programs), a one-time ticket, or nothing (the browser's cookie). */
export interface Credentials {
  headers?: Record<string, string>;
  ticket?: string;
}

export interface RealtimeClientOptions {
  /** `wss://board.example.com/ws`, or several hub addresses tried in turn on each reconnect. */
  url: string | string[];
  /** Called before every connection attempt, so a refreshed token (after 4001) is picked up. */
  credentials?: () => Promise<Credentials>;
  onFrame?: (frame: ServerFrame) => void;
  onStatus?: (status: ConnectionStatus) => void;
  /**
   * The hub could not resume a project (beyond retention): refetch `GET /projects/:id/board` and
   * return its version. Without it, the client continues from the hub's version.
   */
  onResync?: (projectId: string) => Promise<number>;
  backoff?: { baseMs?: number; maxMs?: number };
  /** A WebSocket constructor (Bun's accepts headers; browsers ignore them). */
  WebSocket?: typeof WebSocket;
}

const isBoardEvent = (e: string) => (BOARD_EVENTS as readonly string[]).includes(e);

export class RealtimeClient {
  private ws: WebSocket | null = null;
  private versions = new Map<string, number | undefined>();
  private attempt = 0;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private closedByUser = false;
  private urls: string[];
  private next = 0;
  /** Join attempts refused as UNAVAILABLE per project, for the backoff of the next one. */
  private refused = new Map<string, number>();
  status: ConnectionStatus = 'connecting';

  constructor(private opts: RealtimeClientOptions) {
    this.urls = Array.isArray(opts.url) ? opts.url : [opts.url];
    void this.connect();
  }

  /** Joins a project; with `sinceVersion` (the board's version) the hub sends what came after it. */
  join(projectId: string, sinceVersion?: number) {
    this.versions.set(projectId, sinceVersion);
    this.sendJoin(projectId);
  }

  leave(projectId: string) {
    this.versions.delete(projectId);
    this.send('leaveProject', { projectId });
  }

  /** The last version applied for a project (what a resume starts from). */
  version(projectId: string) {
    return this.versions.get(projectId);
  }

  send(event: ClientEvent, data?: unknown) {
    if (this.ws?.readyState === WebSocket.OPEN) this.ws.send(JSON.stringify({ event, data }));
  }

  close() {
    this.closedByUser = true;
    if (this.timer) clearTimeout(this.timer);
    this.ws?.close();
    this.setStatus('closed');
  }

  private sendJoin(projectId: string) {
    const since = this.versions.get(projectId);
    this.send('joinProject', since === undefined ? { projectId } : { projectId, sinceVersion: since });
  }

  private setStatus(status: ConnectionStatus) {
    if (this.status === status) return;
    this.status = status;
    this.opts.onStatus?.(status);
  }

  private async connect() {
    if (this.closedByUser) return;
    let creds: Credentials = {};
    try {
      creds = (await this.opts.credentials?.()) ?? {};
    } catch {
      return this.retry();
    }
    if (this.closedByUser) return;
    // Round robin: after a hub went away, the next attempt goes to another one.
    const base = this.urls[this.next++ % this.urls.length]!;
    const url = creds.ticket ? `${base}${base.includes('?') ? '&' : '?'}ticket=${encodeURIComponent(creds.ticket)}` : base;
    const Ws = this.opts.WebSocket ?? WebSocket;
    const ws = new Ws(url, (creds.headers ? { headers: creds.headers } : undefined) as never);
    this.ws = ws;
    ws.onopen = () => {
      this.attempt = 0;
      this.setStatus('connected');
      for (const projectId of this.versions.keys()) this.sendJoin(projectId);
    };
    ws.onmessage = (e) => this.receive(JSON.parse(String(e.data)) as ServerFrame);
    ws.onclose = (e) => {
      if (this.ws !== ws || this.closedByUser) return;
      this.ws = null;
      // An expired token: fetch fresh credentials and come straight back.
      if (e.code === CloseCode.tokenExpired) this.attempt = 0;
      this.retry(e.code === CloseCode.tokenExpired ? 0 : undefined);
    };
  }

  private retry(delayMs?: number) {
    if (this.closedByUser) return;
    this.setStatus('reconnecting');
    const base = this.opts.backoff?.baseMs ?? 250;
    const max = this.opts.backoff?.maxMs ?? 10_000;
    // Full jitter: a hub restart must not bring every client back in the same millisecond.
    const delay = delayMs ?? Math.random() * Math.min(max, base * 2 ** this.attempt);
    this.attempt++;
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.connect();
    }, delay);
  }

  private receive(f: ServerFrame) {
    switch (f.event) {
      case 'joined': {
        this.refused.delete(f.data.projectId);
        const known = this.versions.get(f.data.projectId);
        if (known === undefined) this.versions.set(f.data.projectId, f.data.version);
        break;
      }
      case 'error': {
        // A join the hub could not serve right now (the Ticket Service or history busy or away):
        // the socket stays open, so ask again after a backoff instead of waiting for a reconnect.
        const { projectId, code } = f.data;
        if (code === 'UNAVAILABLE' && projectId && this.versions.has(projectId)) this.rejoinLater(projectId);
        break;
      }
      case 'resync':
        void this.resync(f.data.projectId, f.data.version);
        break;
      case 'kicked':
        this.versions.delete(f.data.projectId);
        break;
      default:
        if (isBoardEvent(f.event)) {
          const { projectId, version } = f.data as { projectId: string; version: number };
          const known = this.versions.get(projectId);
          // At or below what we have (a board fetched after the event, a resync): already applied.
          if (known !== undefined && version <= known) return;
          if (known !== undefined && version > known + 1) {
            // Never expected from the hub; rejoin from what we have rather than apply a gap.
            this.sendJoin(projectId);
            return;
          }
          this.versions.set(projectId, version);
        }
    }
    this.opts.onFrame?.(f);
  }

  private rejoinLater(projectId: string) {
    const n = this.refused.get(projectId) ?? 0;
    this.refused.set(projectId, n + 1);
    const base = this.opts.backoff?.baseMs ?? 250;
    const max = this.opts.backoff?.maxMs ?? 10_000;
    setTimeout(() => {
      if (!this.closedByUser && this.versions.has(projectId)) this.sendJoin(projectId);
    }, Math.random() * Math.min(max, base * 2 ** n));
  }

  private async resync(projectId: string, hubVersion: number) {
    this.setStatus('resyncing');
    try {
      this.versions.set(projectId, this.opts.onResync ? await this.opts.onResync(projectId) : hubVersion);
    } finally {
      this.setStatus(this.ws?.readyState === WebSocket.OPEN ? 'connected' : 'reconnecting');
    }
  }
}
