/**
 * @module The rooms of this hub instance: a room per project is created on its first join and
 * dropped on its last leave, and the instance SUBSCRIBEs to `board:{projectId}` only while it holds
 * that room. Joins are authorised against the Ticket Service with the user's own token, every time.
 */
import type { Logger } from '@syncro/kit/log';
import { frame, type ClientFrame } from '@syncro/realtime-client/frames';
import { createHistoryReader, hotWindowHistory, ticketLogHistory } from '../history/historySource.ts';
import { boardChannel, parseBoardEvent, type BoardLog } from '../redis/boardLog.ts';
import type { Subscriber } from '@syncro/kit/pubsub';
import type { TicketsApi } from '../tickets/ticketsApi.ts';
import { PRESENCE_CHANGED, type PresenceStore } from './presence.ts';
import { RECENT, Room, type Conn } from './room.ts';
import { UserChannels } from './userChannels.ts';

export interface HubDeps {
  api: TicketsApi;
  presence: PresenceStore;
  /** How often this instance re-writes its presence entries (their TTL is three times this). */
  heartbeatMs: number;
  /** How often each room compares its position with the hot window to catch a deaf subscription. */
  livenessMs: number;
  boardLog: BoardLog;
  logger: Logger;
  holeGraceMs: number;
  /** Bun's server.publish (set once the first socket opens). */
  publish(topic: string, message: string): void;
  /** PUBLISH on a Redis channel (typing goes to the other instances this way, never stored). */
  publishRedis(channel: string, message: string): Promise<void>;
  instanceId: string;
  /**
   * A service credential for the Ticket Service's event log (client credentials from the Auth
   * Service, once it issues them). Without it a room reads history with a member's own token.
   */
  serviceToken?: (() => Promise<string>) | undefined;
}

const TYPING_PREFIX = 'typing:';
/** The smallest gap between two `userTyping` frames of one user about one ticket (any of their sockets here). */
const TYPING_EVERY_MS = 1000;

type JoinData = Extract<ClientFrame, { event: 'joinProject' }>['data'];

export class Hub {
  readonly rooms = new Map<string, Room>();
  private creating = new Map<string, Promise<Room>>();
  /** Each socket's rooms, by project id. */
  private joined = new Map<string, Map<string, Room>>();
  subscriber!: Subscriber;
  /** `user:{userId}` channels of the users with a socket here (their notifications). */
  readonly users: UserChannels;
  private typedAt = new Map<string, number>();
  /** Each room's local users as last written to Redis, to announce only real changes. */
  private written = new Map<string, string>();
  private syncing = new Map<string, Promise<void>>();
  private heartbeat: ReturnType<typeof setInterval>;

  constructor(private deps: HubDeps) {
    this.users = new UserChannels(() => this.subscriber, deps.logger);
    this.heartbeat = setInterval(() => {
      for (const room of this.rooms.values()) this.syncPresence(room, true);
      const stale = Date.now() - TYPING_EVERY_MS;
      for (const [key, at] of this.typedAt) if (at < stale) this.typedAt.delete(key);
    }, deps.heartbeatMs);
    this.heartbeat.unref?.();
    this.liveness = setInterval(() => void this.checkLiveness(), deps.livenessMs);
    this.liveness.unref?.();
  }

  stop() {
    clearInterval(this.heartbeat);
    clearInterval(this.liveness);
  }

  private liveness: ReturnType<typeof setInterval>;
  /** Rooms seen behind the hot window at the last check, with their position then. */
  private behind = new Map<string, number>();

  /**
   * A deaf subscription (connected, yet the channel's messages never come) shows as a room that
   * stays behind its hot window: after a whole interval without progress it is re-subscribed and
   * repaired from history.
   */
  private async checkLiveness() {
    for (const room of [...this.rooms.values()]) {
      const ahead = await this.deps.boardLog.after(room.projectId, room.cursor, 1).catch(() => []);
      if (ahead.length === 0 || room.closed) {
        this.behind.delete(room.projectId);
        continue;
      }
      if (this.behind.get(room.projectId) !== room.cursor) {
        this.behind.set(room.projectId, room.cursor);
        continue;
      }
      this.behind.delete(room.projectId);
      this.deps.logger.warn('room is deaf: re-subscribing and repairing', { projectId: room.projectId, at: room.cursor });
      await this.subscriber.resubscribe(boardChannel(room.projectId)).catch((err) => this.deps.logger.warn('re-subscribe failed', { err }));
      void room.repair();
    }
  }

  /** Writes this instance's users of the room (coalesced per room) and applies what everyone sees. */
  private syncPresence(room: Room, heartbeat = false) {
    if (this.syncing.has(room.projectId)) {
      void this.syncing.get(room.projectId)!.then(() => this.syncPresence(room, heartbeat));
      return;
    }
    const run = (async () => {
      await Promise.resolve();
      const local = room.closed ? [] : room.localUsers();
      const fingerprint = local.map((u) => u.userId).sort().join(',');
      const changed = this.written.get(room.projectId) !== fingerprint;
      if (!changed && !heartbeat) return;
      this.written.set(room.projectId, fingerprint);
      if (room.closed) this.written.delete(room.projectId);
      try {
        const everyone = await this.deps.presence.sync(room.projectId, local, changed);
        if (!room.closed) room.applyPresence(everyone);
      } catch (err) {
        this.deps.logger.warn('presence sync failed', { projectId: room.projectId, err });
      }
    })().finally(() => this.syncing.delete(room.projectId));
    this.syncing.set(room.projectId, run);
  }

  /** Re-subscribed after a Redis reconnect: every room reads what it may have missed. */
  repairAll() {
    for (const room of this.rooms.values()) void room.repair();
    this.users.repair();
  }

  /** A socket opened: its user's channel is subscribed while they have one here. */
  connect(conn: Conn) {
    void this.users.add(conn);
  }

  async join(conn: Conn, data: JoinData, closeExpired: () => void): Promise<void> {
    const ref = data.projectId ?? data.key!;
    let answer;
    try {
      answer = await this.deps.api.membership(ref, conn.token);
    } catch (err) {
      conn.send(frame('error', { code: 'UNAVAILABLE', message: (err as Error).message, projectId: ref }));
      return;
    }
    if (!answer.member) {
      if ('unauthenticated' in answer) return closeExpired();
      conn.send(frame('error', { code: 'NOT_A_MEMBER', message: `You are not a member of project ${ref}`, projectId: ref }));
      return;
    }
    const { id, key, version } = answer.project;
    const mine = this.joined.get(conn.id) ?? new Map<string, Room>();
    this.joined.set(conn.id, mine);
    // Joining again is a resume: the old position is replaced by the new one.
    mine.get(id)?.leave(conn);
    let room: Room;
    try {
      room = await this.room(id, key, version);
    } catch (err) {
      // Named with the project as the client asked for it, so the client knows which join to retry.
      conn.send(frame('error', { code: 'UNAVAILABLE', message: (err as Error).message, projectId: ref }));
      return;
    }
    if (!room.mayJoin(conn.user.id, version)) {
      conn.send(frame('error', { code: 'NOT_A_MEMBER', message: `You are not a member of project ${ref}`, projectId: id }));
      return;
    }
    mine.set(id, room);
    await room.join(conn, data.sinceVersion, version);
    if (!room.has(conn)) mine.delete(id);
  }

  leave(conn: Conn, projectRef: string) {
    const mine = this.joined.get(conn.id);
    const room = mine?.get(projectRef) ?? [...(mine?.values() ?? [])].find((r) => r.key === projectRef);
    if (!room) return false;
    mine!.delete(room.projectId);
    room.leave(conn);
    return true;
  }

  /** The socket closed: it leaves every room. */
  disconnect(conn: Conn) {
    for (const room of this.joined.get(conn.id)?.values() ?? []) room.leave(conn);
    this.joined.delete(conn.id);
    void this.users.remove(conn);
  }

  /** `userTyping` to the room's other sockets here and, through Redis, on other instances. */
  typing(room: Room, conn: Conn, ticketId: string) {
    const key = `${room.projectId}|${conn.user.id}|${ticketId}`;
    const now = Date.now();
    if (now - (this.typedAt.get(key) ?? 0) < TYPING_EVERY_MS) return;
    this.typedAt.set(key, now);
    const message = frame('userTyping', { projectId: room.projectId, ticketId, userId: conn.user.id, userName: conn.user.name });
    room.broadcast(message, conn);
    void this.deps.publishRedis(boardChannel(room.projectId), `${TYPING_PREFIX}${this.deps.instanceId}|${message}`).catch(() => {});
  }

  roomOf(conn: Conn, projectRef: string): Room | undefined {
    const mine = this.joined.get(conn.id);
    const room = mine?.get(projectRef) ?? [...(mine?.values() ?? [])].find((r) => r.key === projectRef);
    return room?.has(conn) ? room : undefined;
  }

  private room(id: string, key: string, version: number): Promise<Room> {
    const existing = this.rooms.get(id);
    if (existing && !existing.closed) return Promise.resolve(existing);
    const pending = this.creating.get(id);
    if (pending) return pending;
    const created = (async () => {
      const room = new Room(id, key, version, {
        history: (tokenProvider) =>
          createHistoryReader(hotWindowHistory(this.deps.boardLog), ticketLogHistory(this.deps.api, this.deps.serviceToken ?? tokenProvider)),
        publish: (topic, message) => this.deps.publish(topic, message),
        logger: this.deps.logger,
        holeGraceMs: this.deps.holeGraceMs,
        onPresence: (r) => this.syncPresence(r),
        onEmpty: (r) => {
          if (this.rooms.get(id) !== r) return;
          this.rooms.delete(id);
          void this.subscriber.unsubscribe(boardChannel(id)).catch((err) => this.deps.logger.warn('unsubscribe failed', { id, err }));
        },
      });
      this.rooms.set(id, room);
      try {
        await this.subscriber.subscribe(boardChannel(id), (message) => {
          if (message.startsWith(TYPING_PREFIX)) {
            const bar = message.indexOf('|');
            if (message.slice(TYPING_PREFIX.length, bar) !== this.deps.instanceId) room.broadcast(message.slice(bar + 1));
            return;
          }
          if (message === PRESENCE_CHANGED) {
            void this.deps.presence.read(id).then((users) => room.closed || room.applyPresence(users), () => {});
            return;
          }
          const e = parseBoardEvent(message);
          if (e) room.receive(e);
        });
      } catch (err) {
        this.rooms.delete(id);
        room.closed = true;
        throw err;
      }
      // What was published before the SUBSCRIBE took effect is in the hot window (same script), and
      // so is what came just before the room's start, which resuming sockets ask for.
      const around = await this.deps.boardLog.after(id, Math.max(0, version - RECENT), RECENT + 1000).catch(() => []);
      room.seedRecent(around.filter((e) => e.version <= version));
      for (const e of around) if (e.version > version) room.receive(e);
      return room;
    })().finally(() => this.creating.delete(id));
    this.creating.set(id, created);
    return created;
  }
}
