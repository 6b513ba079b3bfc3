/**
 * @module A lean WebSocket client for load: node:net sockets (so each can bind its own loopback source
 * address, past the ephemeral-port limit of one address), a hand-written RFC 6455 handshake and frame
 * parser, and two dialects: the hub's JSON frames (`joinProject`, resume with `sinceVersion`, gap
 * check per project) and Socket.IO 4 over its websocket transport (engine.io v4 packets `0`/`40`/`42`,
 * `2`→`3` heartbeats). Per-socket state is a few fields so tens of thousands fit in one process;
 * latencies go into a fixed histogram (0.1 ms buckets), never an array per message.
 */
import net from 'node:net';

export type Dialect = 'hub' | 'socketio';

export interface ClientSpec {
  dialect: Dialect;
  port: number;
  /** Loopback source addresses to spread sockets over (127.0.0.2, …). */
  sources: string[];
  /** Bearer token per socket index (hub only). */
  token?: (i: number) => string;
  /** Hub: the project to join; Socket.IO: the room. */
  room: string;
  /** Reconnect with jittered exponential backoff (the RealtimeClient's policy) and resume. */
  reconnect?: { baseMs: number; maxMs: number };
}

/** Latency histogram: 0.1 ms buckets up to 60 s. */
export class Histogram {
  readonly buckets = new Uint32Array(600_000);
  count = 0;
  max = 0;
  add(ms: number) {
    const b = Math.max(0, Math.min(this.buckets.length - 1, Math.round(ms * 10)));
    this.buckets[b]!++;
    this.count++;
    if (ms > this.max) this.max = ms;
  }
  merge(other: { buckets: ArrayLike<number>; count: number; max: number }) {
    for (let i = 0; i < other.buckets.length; i++) if (other.buckets[i]) this.buckets[i]! += other.buckets[i]!;
    this.count += other.count;
    this.max = Math.max(this.max, other.max);
  }
  pct(p: number) {
    const want = Math.ceil((p / 100) * this.count);
    let seen = 0;
    for (let i = 0; i < this.buckets.length; i++) {
      seen += this.buckets[i]!;
      if (seen >= want && want > 0) return i / 10;
    }
    return NaN;
  }
  /** Sparse form for IPC: [bucket, count] pairs. */
  sparse() {
    const out: [number, number][] = [];
    for (let i = 0; i < this.buckets.length; i++) if (this.buckets[i]) out.push([i, this.buckets[i]!]);
    return { pairs: out, count: this.count, max: this.max };
  }
  static fromSparse(s: { pairs: [number, number][]; count: number; max: number }) {
    const h = new Histogram();
    for (const [i, c] of s.pairs) h.buckets[i] = c;
    h.count = s.count;
    h.max = s.max;
    return h;
  }
}

export const now = () => performance.timeOrigin + performance.now();

export interface PoolStats {
  open: number;
  joined: number;
  delivered: number;
  /** Board frames whose version was not last + 1 (the hub only; must stay 0). */
  gaps: number;
  duplicates: number;
  closes: number;
  reconnects: number;
  errors: number;
  /** Sockets that joined (again) since `markStorm()` and have seen `version >= target`. */
  caughtUp: number;
  resyncs: number;
  /** `error` frames by code (a join refused, …). */
  errorCodes: Record<string, number>;
  latency: Histogram;
}

const enc = new TextEncoder();
const dec = new TextDecoder();

/** One text frame, client→server: masked (with a zero key: servers unmask the same, and this is load, not a browser). */
function textFrame(text: string): Buffer {
  const payload = enc.encode(text);
  const n = payload.length;
  const head = n < 126 ? 2 : n < 65536 ? 4 : 10;
  const buf = Buffer.allocUnsafe(head + 4 + n);
  buf[0] = 0x81;
  if (n < 126) buf[1] = 0x80 | n;
  else if (n < 65536) {
    buf[1] = 0x80 | 126;
    buf.writeUInt16BE(n, 2);
  } else {
    buf[1] = 0x80 | 127;
    buf.writeBigUInt64BE(BigInt(n), 2);
  }
  buf.writeUInt32BE(0, head);
  buf.set(payload, head + 4);
  return buf;
}

const controlFrame = (opcode: number) => Buffer.from([0x80 | opcode, 0x80, 0, 0, 0, 0]);

/** Reads `"key":` followed by a number (or a quoted number) in a frame without parsing the JSON. */
function numberAfter(text: string, key: string, from = 0): number {
  const at = text.indexOf(key, from);
  if (at < 0) return NaN;
  let i = at + key.length;
  if (text[i] === '"') i++;
  let j = i;
  while (j < text.length && ((text.charCodeAt(j) >= 48 && text.charCodeAt(j) <= 57) || text[j] === '.')) j++;
  return Number(text.slice(i, j));
}

export class ClientPool {
  readonly stats: PoolStats = { open: 0, joined: 0, delivered: 0, gaps: 0, duplicates: 0, closes: 0, reconnects: 0, errors: 0, caughtUp: 0, resyncs: 0, errorCodes: {}, latency: new Histogram() };
  private socks: (net.Socket | null)[] = [];
  /** Last version applied per socket (hub). */
  private versions: Float64Array;
  private joinedFlags: Uint8Array;
  private stormTarget = Infinity;
  private stormFlags: Uint8Array;
  private closed = false;

  constructor(
    private spec: ClientSpec,
    readonly size: number,
    private offset = 0,
  ) {
    this.versions = new Float64Array(size).fill(-1);
    this.joinedFlags = new Uint8Array(size);
    this.stormFlags = new Uint8Array(size);
  }

  /** Opens every socket, at most `concurrency` handshakes at a time; resolves when all have joined (or failed). */
  async openAll(concurrency = 200, timeoutMs = 300_000) {
    let next = 0;
    const until = Date.now() + timeoutMs;
    const worker = async () => {
      while (next < this.size && Date.now() < until) {
        const i = next++;
        await this.open(i);
      }
    };
    await Promise.all(Array.from({ length: concurrency }, worker));
  }

  /** Every socket that has joined starts counting towards `caughtUp` once it sees `version`. */
  markStorm(version: number) {
    this.stormTarget = version;
    this.stormFlags.fill(0);
    this.stats.caughtUp = 0;
  }

  resetCounters() {
    this.stats.delivered = 0;
    this.stats.latency = new Histogram();
  }

  close() {
    this.closed = true;
    for (const s of this.socks) s?.destroy();
  }

  private open(i: number): Promise<void> {
    return new Promise((resolve) => {
      const { spec } = this;
      const source = spec.sources[(i + this.offset) % spec.sources.length]!;
      let settled = false;
      const done = () => {
        if (!settled) {
          settled = true;
          resolve();
        }
      };
      const sock = net.connect({ host: '127.0.0.1', port: spec.port, localAddress: source });
      sock.setNoDelay(true);
      this.socks[i] = sock;
      let handshaken = false;
      let connected = false;
      let buf: Buffer = Buffer.alloc(0);
      const path = spec.dialect === 'hub' ? '/ws' : '/socket.io/?EIO=4&transport=websocket';
      const auth = spec.dialect === 'hub' && spec.token ? `Authorization: Bearer ${spec.token(i)}\r\n` : '';
      sock.on('connect', () => {
        connected = true;
        this.stats.open++;
        sock.write(`GET ${path} HTTP/1.1\r\nHost: 127.0.0.1:${spec.port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: ${Buffer.from(crypto.getRandomValues(new Uint8Array(16))).toString('base64')}\r\nSec-WebSocket-Version: 13\r\n${auth}\r\n`);
      });
      const send = (text: string) => sock.write(textFrame(text));
      const onText = (text: string) => {
        if (spec.dialect === 'hub') return this.onHub(i, text, send, done);
        return this.onSocketIo(i, text, send, done);
      };
      sock.on('data', (chunk: Buffer) => {
        buf = buf.length ? Buffer.concat([buf, chunk]) : chunk;
        if (!handshaken) {
          const end = buf.indexOf('\r\n\r\n');
          if (end < 0) return;
          const head = buf.subarray(0, end).toString('latin1');
          if (!head.startsWith('HTTP/1.1 101')) {
            this.stats.errors++;
            sock.destroy();
            return;
          }
          handshaken = true;
          buf = buf.subarray(end + 4);
          if (spec.dialect === 'hub') send(JSON.stringify({ event: 'joinProject', data: this.versions[i]! >= 0 ? { projectId: spec.room, sinceVersion: this.versions[i] } : { projectId: spec.room } }));
        }
        let at = 0;
        while (buf.length - at >= 2) {
          const b0 = buf[at]!;
          const b1 = buf[at + 1]!;
          let len = b1 & 0x7f;
          let head = 2;
          if (len === 126) {
            if (buf.length - at < 4) break;
            len = buf.readUInt16BE(at + 2);
            head = 4;
          } else if (len === 127) {
            if (buf.length - at < 10) break;
            len = Number(buf.readBigUInt64BE(at + 2));
            head = 10;
          }
          if (buf.length - at < head + len) break;
          const opcode = b0 & 0x0f;
          const payload = buf.subarray(at + head, at + head + len);
          at += head + len;
          if (opcode === 1) onText(dec.decode(payload));
          else if (opcode === 9) sock.write(controlFrame(10));
          else if (opcode === 8) sock.end();
        }
        buf = at === buf.length ? Buffer.alloc(0) : buf.subarray(at);
      });
      sock.on('error', () => {
        this.stats.errors++;
      });
      sock.on('close', () => {
        this.stats.closes++;
        if (connected) this.stats.open--;
        if (this.joinedFlags[i]) {
          this.joinedFlags[i] = 0;
          this.stats.joined--;
        }
        this.socks[i] = null;
        done();
        if (!this.closed && spec.reconnect) this.scheduleReconnect(i);
      });
    });
  }

  private attempts = new Map<number, number>();

  private scheduleReconnect(i: number) {
    const n = this.attempts.get(i) ?? 0;
    this.attempts.set(i, n + 1);
    const { baseMs, maxMs } = this.spec.reconnect!;
    const delay = Math.random() * Math.min(maxMs, baseMs * 2 ** n);
    setTimeout(() => {
      if (this.closed) return;
      this.stats.reconnects++;
      void this.open(i);
    }, delay);
  }

  private onHub(i: number, text: string, send: (t: string) => void, done: () => void) {
    // Board frames carry "version"; the first key tells the event.
    if (text.startsWith('{"event":"joined"')) {
      if (this.versions[i]! < 0) this.versions[i] = numberAfter(text, '"version":');
      this.joinedFlags[i] = 1;
      this.stats.joined++;
      this.attempts.delete(i);
      this.checkStorm(i);
      return done();
    }
    if (text.startsWith('{"event":"resync"')) {
      // As the client library without onResync: continue from the hub's version (a resume that failed).
      this.stats.resyncs++;
      this.versions[i] = numberAfter(text, '"version":');
      return;
    }
    if (text.startsWith('{"event":"ticket') || text.startsWith('{"event":"member') || text.startsWith('{"event":"versionSkipped"')) {
      const version = numberAfter(text, '"version":');
      const last = this.versions[i]!;
      if (version <= last) this.stats.duplicates++;
      else if (version !== last + 1) this.stats.gaps++;
      if (version > last) this.versions[i] = version;
      this.stats.delivered++;
      if (text.startsWith('{"event":"ticketCreated"')) {
        const sentAt = numberAfter(text, '"title":');
        if (!Number.isNaN(sentAt)) this.stats.latency.add(now() - sentAt);
      }
      this.checkStorm(i);
      return;
    }
    if (text.startsWith('{"event":"error"')) {
      const code = /"code":"([^"]+)"/.exec(text)?.[1] ?? 'UNKNOWN';
      this.stats.errorCodes[code] = (this.stats.errorCodes[code] ?? 0) + 1;
      // A join refused for now (the hub or the Ticket Service busy): try again after a backoff, as the client library does.
      if (code === 'UNAVAILABLE' && this.spec.reconnect) {
        const n = this.attempts.get(i) ?? 0;
        this.attempts.set(i, n + 1);
        const delay = Math.random() * Math.min(this.spec.reconnect.maxMs, this.spec.reconnect.baseMs * 2 ** n);
        setTimeout(() => {
          if (!this.closed && this.socks[i]) send(JSON.stringify({ event: 'joinProject', data: this.versions[i]! >= 0 ? { projectId: this.spec.room, sinceVersion: this.versions[i] } : { projectId: this.spec.room } }));
        }, delay);
      }
      done();
    }
  }

  private checkStorm(i: number) {
    if (!this.stormFlags[i] && this.joinedFlags[i] && this.versions[i]! >= this.stormTarget) {
      this.stormFlags[i] = 1;
      this.stats.caughtUp++;
    }
  }

  private onSocketIo(i: number, text: string, send: (t: string) => void, done: () => void) {
    if (text === '2') return send('3');
    if (text.startsWith('42["ticketCreated"')) {
      this.stats.delivered++;
      const sentAt = numberAfter(text, '"title":');
      if (!Number.isNaN(sentAt)) this.stats.latency.add(now() - sentAt);
      return;
    }
    if (text.startsWith('0{')) return send('40');
    if (text.startsWith('40')) return send(`42["join",${JSON.stringify(this.spec.room)}]`);
    if (text.startsWith('42["joined"')) {
      this.joinedFlags[i] = 1;
      this.stats.joined++;
      return done();
    }
  }
}
