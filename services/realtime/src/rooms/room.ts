/**
 * @module One project's room in one hub instance (Durable-Object style): its sockets, and the
 * project's events delivered strictly in version order. What arrives ahead of the next version is
 * held back; a hole is filled from history after a short grace; a version is never delivered twice.
 * A socket joins at a version and receives exactly what comes after it.
 */
import { frame, type PresenceUser } from '@syncro/realtime-client/frames';
import type { Logger } from '@syncro/kit/log';
import type { HistoryReader } from '../history/historySource.ts';
import type { BoardEvent } from '../redis/boardLog.ts';
import { boardFrame } from './boardFrames.ts';

/** What a room needs of a socket. */
export interface Conn {
  id: string;
  user: { id: string; name: string };
  token: string;
  send(message: string): void;
  subscribe(topic: string): void;
  unsubscribe(topic: string): void;
  /** Publishes to a topic's subscribers except this socket. */
  publish(topic: string, message: string): void;
}

export interface RoomDeps {
  /** The room's history, read with a token the room provides (see `tokenProvider`). */
  history: (tokenProvider: () => Promise<string>) => HistoryReader;
  /** Bun's `server.publish`: one call, every subscribed socket. */
  publish(topic: string, message: string): void;
  logger: Logger;
  holeGraceMs: number;
  /** Called when the last socket has left. */
  onEmpty(room: Room): void;
  /** Called when a socket went live or left: the hub re-syncs presence (it coalesces). */
  onPresence(room: Room): void;
}

/** Delivered frames kept in memory, so a socket resuming a little behind needs no history read. */
export const RECENT = 512;

interface Member {
  conn: Conn;
  /** The project version at which this socket's membership was checked. */
  checkedAt: number;
  live: boolean;
  /** Set while the socket waits for the room to reach the version it joined at. */
  waitingFor?: number;
  resumed?: boolean;
}

export class Room {
  readonly topic: string;
  /** The last version delivered to the room's sockets. */
  cursor: number;
  private pending = new Map<number, BoardEvent>();
  private recent: { version: number; frame: string }[] = [];
  private members = new Map<string, Member>();
  /** Each user's latest membership event: a removal newer than a join's check refuses the join. */
  private membership = new Map<string, { version: number; member: boolean }>();
  private present = new Map<string, PresenceUser>();
  /** Live sockets per local user: presence reads it per join, so it must not walk every socket. */
  private live = new Map<string, { user: PresenceUser; sockets: number }>();
  /** Members waiting for the room to reach their version (walked on each delivery, so kept apart). */
  private waiting = new Set<Member>();
  private fillTimer: ReturnType<typeof setTimeout> | null = null;
  private filling: Promise<void> | null = null;
  private history: HistoryReader;
  closed = false;

  constructor(
    readonly projectId: string,
    readonly key: string,
    startVersion: number,
    private deps: RoomDeps,
  ) {
    this.topic = `room:${projectId}`;
    this.cursor = startVersion;
    this.history = deps.history(() => this.anyToken());
  }

  get size() {
    return this.members.size;
  }

  /** This instance's users in the room (live sockets only). */
  localUsers(): PresenceUser[] {
    return [...this.live.values()].map((l) => l.user);
  }

  /** Everyone on the board, across instances, as last read (plus this instance's own). */
  presence(): PresenceUser[] {
    const users = new Map(this.present);
    for (const u of this.localUsers()) users.set(u.userId, u);
    return [...users.values()];
  }

  /** The project's presence as read from Redis: the difference goes to the room as one `presence` frame. */
  applyPresence(read: PresenceUser[]) {
    // This instance's own users count even if a read raced ahead of their write.
    const next = new Map([...read, ...this.localUsers()].map((u) => [u.userId, u]));
    const joined = [...next.values()].filter((u) => !this.present.has(u.userId));
    const left = [...this.present.keys()].filter((id) => !next.has(id));
    this.present = next;
    if (joined.length || left.length) this.broadcast(frame('presence', { projectId: this.projectId, joined, left }));
  }

  /** False when the user was removed from the project after the version their membership was checked at. */
  mayJoin(userId: string, checkedAt: number) {
    const m = this.membership.get(userId);
    return !(m && !m.member && m.version > checkedAt);
  }

  /**
   * Adds a socket whose membership was checked at `checkedAt`. It gets `joined`, then every event
   * after `since` (or after `checkedAt` without one), then the live stream; or `resync` when history
   * no longer reaches back to `since`.
   */
  async join(conn: Conn, since: number | undefined, checkedAt: number): Promise<void> {
    const member: Member = { conn, checkedAt, live: false };
    this.members.set(conn.id, member);
    const resumed = since !== undefined;
    // A client claiming a version the project has not reached cannot be resumed: it refetches.
    if (since !== undefined && since > checkedAt) return this.goLive(member, false, true, 'sinceVersion is ahead of the project');
    let at = since ?? checkedAt;

    if (at >= this.cursor) {
      if (at === this.cursor) return this.goLive(member, resumed, false);
      // The room has not delivered up to the client's version yet: release it when it has.
      member.waitingFor = at;
      member.resumed = resumed;
      this.waiting.add(member);
      void this.repair();
      return;
    }

    const frames: string[] = [];
    let emptyReads = 0;
    for (;;) {
      const ring = this.recentAfter(at);
      if (ring) {
        if (!this.members.has(conn.id)) return;
        return this.goLive(member, resumed, false, undefined, [...frames, ...ring]);
      }
      let page;
      try {
        page = await this.history.read(this.projectId, at, this.cursor);
      } catch (err) {
        this.deps.logger.warn('resume history unavailable', { projectId: this.projectId, err });
        conn.send(frame('error', { code: 'UNAVAILABLE', message: 'History is unavailable right now; join again shortly', projectId: this.projectId }));
        this.leave(conn);
        return;
      }
      if (!this.members.has(conn.id)) return;
      if (page.resync) return this.goLive(member, false, true, 'the missed events are beyond retention');
      if (page.events.length === 0) {
        // Nothing newer than `at` in the log yet the room is ahead: the log is behind the bus.
        if (++emptyReads > 40) {
          conn.send(frame('error', { code: 'UNAVAILABLE', message: 'History does not reach the room yet; join again shortly', projectId: this.projectId }));
          this.leave(conn);
          return;
        }
        await Bun.sleep(50);
        continue;
      }
      for (const e of page.events) frames.push(boardFrame(e));
      at = page.events.at(-1)!.version;
    }
  }

  leave(conn: Conn) {
    const member = this.members.get(conn.id);
    if (!member) return;
    this.members.delete(conn.id);
    this.waiting.delete(member);
    if (member.live) {
      const l = this.live.get(conn.user.id)!;
      if (--l.sockets === 0) this.live.delete(conn.user.id);
    }
    conn.unsubscribe(this.topic);
    this.deps.onPresence(this);
    if (this.members.size === 0) {
      this.closed = true;
      if (this.fillTimer) clearTimeout(this.fillTimer);
      this.deps.onEmpty(this);
    }
  }

  has(conn: Conn) {
    return this.members.has(conn.id);
  }

  broadcast(message: string, except?: Conn) {
    if (except) except.publish(this.topic, message);
    else this.deps.publish(this.topic, message);
  }

  /** An event from the channel or from history: held until its turn, delivered once. */
  receive(e: BoardEvent) {
    if (this.closed || e.version <= this.cursor || this.pending.has(e.version)) return;
    if (e.topic === 'project.member.removed') {
      // Kicked on arrival, not on its turn: a removed member must stop seeing the board at once.
      const userId = String(e.data.userId);
      this.noteMembership(userId, e.version, false);
      this.kick(userId, e.version);
    }
    this.pending.set(e.version, e);
    this.drain();
    if (this.pending.size > 0) this.scheduleFill();
  }

  /** Reads everything after the cursor from history: after a reconnect of the subscriber, or to catch up. */
  repair(): Promise<void> {
    if (this.filling) return this.filling.then(() => (this.closed ? undefined : this.fillOnce(undefined)));
    return this.fillOnce(undefined);
  }

  private fillOnce(until: number | undefined): Promise<void> {
    const run = (async () => {
      try {
        const page = await this.history.read(this.projectId, this.cursor, until);
        if (this.closed) return;
        if (page.resync) return this.resyncAll(page.head ?? this.cursor);
        for (const e of page.events) this.receive(e);
      } catch (err) {
        this.deps.logger.warn('room history read failed; will retry', { projectId: this.projectId, err });
        if (!this.closed && !this.fillTimer) {
          this.fillTimer = setTimeout(() => {
            this.fillTimer = null;
            if (!this.closed) void this.repair();
          }, 1000);
        }
      }
    })();
    this.filling = run.finally(() => {
      if (this.filling === guarded) this.filling = null;
      if (this.pending.size > 0) this.scheduleFill();
    });
    const guarded = this.filling;
    return guarded;
  }

  private scheduleFill() {
    if (this.fillTimer || this.filling || this.closed) return;
    this.fillTimer = setTimeout(() => {
      this.fillTimer = null;
      this.fillHoles();
    }, this.deps.holeGraceMs);
  }

  private fillHoles() {
    if (this.closed || this.filling || this.pending.size === 0) return;
    const first = Math.min(...this.pending.keys());
    if (first <= this.cursor + 1) return this.drain();
    void this.fillOnce(first - 1);
  }

  private drain() {
    for (let next = this.pending.get(this.cursor + 1); next; next = this.pending.get(this.cursor + 1)) {
      this.pending.delete(next.version);
      this.deliver(next);
    }
  }

  private deliver(e: BoardEvent) {
    this.cursor = e.version;
    const message = boardFrame(e);
    this.recent.push({ version: e.version, frame: message });
    if (this.recent.length > RECENT) this.recent.splice(0, this.recent.length - RECENT);
    this.deps.publish(this.topic, message);
    if (e.topic === 'project.member.added') this.noteMembership(String(e.data.userId), e.version, true);
    for (const m of this.waiting) {
      if (m.waitingFor !== undefined && m.waitingFor <= this.cursor) {
        // Exactly at its version (delivery goes one version at a time): it has seen nothing twice.
        m.waitingFor = undefined;
        this.waiting.delete(m);
        this.goLive(m, m.resumed ?? false, false);
      }
    }
  }

  /**
   * Fills the memory of a new room with the events before its start (from the hot window), so the
   * sockets resuming after a hub restart are served from memory, not by a history read each.
   * Keeps only the contiguous run that ends at the cursor.
   */
  seedRecent(events: BoardEvent[]) {
    if (this.recent.length > 0) return;
    const run: BoardEvent[] = [];
    for (const e of events.toSorted((a, b) => b.version - a.version)) {
      const expected = (run.at(-1)?.version ?? this.cursor + 1) - 1;
      if (e.version > this.cursor || (run.length === 0 && e.version !== this.cursor)) continue;
      if (e.version !== expected) break;
      run.push(e);
    }
    this.recent = run.reverse().slice(-RECENT).map((e) => ({ version: e.version, frame: boardFrame(e) }));
  }

  /** Frames after `at` up to the cursor from memory, or null when memory does not reach back that far. */
  private recentAfter(at: number): string[] | null {
    if (at >= this.cursor) return [];
    const first = this.recent[0];
    if (!first || first.version > at + 1) return null;
    return this.recent.filter((r) => r.version > at).map((r) => r.frame);
  }

  private goLive(m: Member, resumed: boolean, resync: boolean, reason?: string, frames: string[] = []) {
    const { conn } = m;
    if (!m.live) {
      m.live = true;
      const l = this.live.get(conn.user.id);
      if (l) l.sockets++;
      else this.live.set(conn.user.id, { user: { userId: conn.user.id, name: conn.user.name }, sockets: 1 });
    }
    if (!this.present.has(conn.user.id)) {
      // Told here at once (the newcomer is not subscribed yet, so it is not told about itself).
      const user = { userId: conn.user.id, name: conn.user.name };
      this.present.set(user.userId, user);
      this.broadcast(frame('presence', { projectId: this.projectId, joined: [user], left: [] }));
    }
    conn.send(frame('joined', { projectId: this.projectId, key: this.key, version: this.cursor, resumed, presence: this.presence() }));
    if (resync) conn.send(frame('resync', { projectId: this.projectId, version: this.cursor, reason: reason ?? 'refetch the board' }));
    for (const f of frames) conn.send(f);
    conn.subscribe(this.topic);
    this.deps.onPresence(this);
  }

  private resyncAll(head: number) {
    this.deps.logger.warn('room lost history; every socket resyncs', { projectId: this.projectId, from: this.cursor, to: head });
    this.cursor = Math.max(this.cursor, head);
    for (const v of this.pending.keys()) if (v <= this.cursor) this.pending.delete(v);
    this.broadcast(frame('resync', { projectId: this.projectId, version: this.cursor, reason: 'the room missed events beyond retention' }));
    this.drain();
  }

  private noteMembership(userId: string, version: number, member: boolean) {
    const known = this.membership.get(userId);
    if (!known || known.version < version) this.membership.set(userId, { version, member });
  }

  private kick(userId: string, version: number) {
    for (const m of [...this.members.values()]) {
      if (m.conn.user.id !== userId || m.checkedAt >= version) continue;
      m.conn.send(frame('kicked', { projectId: this.projectId, reason: 'You were removed from this project' }));
      this.leave(m.conn);
    }
  }

  private async anyToken(): Promise<string> {
    // Until the Auth Service issues a service credential, a member's own token reads the log.
    const last = [...this.members.values()].at(-1);
    if (!last) throw new Error(`room ${this.projectId} has no member to read history with`);
    return last.conn.token;
  }
}
