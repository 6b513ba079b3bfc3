/**
 * @module Per-user channels: while a user has a socket on this instance, the instance SUBSCRIBEs to
 * `user:{userId}` and forwards each `notification.created` published there as a `notification`
 * frame to that user's sockets here, and no one else's. Subscribe and unsubscribe of one user run
 * one after the other and each acts on the state at its turn, so a quick close-and-reopen can never
 * leave a socket on an unsubscribed channel.
 */
import { NotificationCreated } from '@syncro/contracts';
import type { Logger } from '@syncro/kit/log';
import { frame } from '@syncro/realtime-client/frames';
import * as v from 'valibot';
import type { Subscriber } from '@syncro/kit/pubsub';
import type { Conn } from './room.ts';

export const userChannel = (userId: string) => `user:${userId}`;

export class UserChannels {
  private conns = new Map<string, Set<Conn>>();
  private subscribed = new Set<string>();
  private ops = new Map<string, Promise<void>>();

  constructor(
    private subscriber: () => Subscriber,
    private logger: Logger,
  ) {}

  /** Users with a subscription here (metrics, tests). */
  get size() {
    return this.subscribed.size;
  }

  add(conn: Conn): Promise<void> {
    const mine = this.conns.get(conn.user.id) ?? new Set<Conn>();
    this.conns.set(conn.user.id, mine);
    mine.add(conn);
    return this.sync(conn.user.id);
  }

  remove(conn: Conn): Promise<void> {
    const mine = this.conns.get(conn.user.id);
    if (!mine?.delete(conn)) return Promise.resolve();
    if (mine.size === 0) this.conns.delete(conn.user.id);
    return this.sync(conn.user.id);
  }

  /** After a Redis reconnect: subscribe the users whose subscription failed meanwhile. */
  repair() {
    for (const userId of this.conns.keys()) if (!this.subscribed.has(userId)) void this.sync(userId);
  }

  private sync(userId: string): Promise<void> {
    const run = (this.ops.get(userId) ?? Promise.resolve())
      .then(async () => {
        const want = this.conns.has(userId);
        const have = this.subscribed.has(userId);
        if (want && !have) {
          await this.subscriber().subscribe(userChannel(userId), (m) => this.deliver(userId, m));
          this.subscribed.add(userId);
        } else if (!want && have) {
          this.subscribed.delete(userId);
          await this.subscriber().unsubscribe(userChannel(userId));
        }
      })
      .catch((err) => this.logger.warn('user channel (un)subscribe failed; retried on reconnect', { userId, err }))
      .finally(() => {
        if (this.ops.get(userId) === run) this.ops.delete(userId);
      });
    this.ops.set(userId, run);
    return run;
  }

  private deliver(userId: string, message: string) {
    let value: unknown;
    try {
      value = JSON.parse(message);
    } catch {
      value = null;
    }
    const parsed = v.safeParse(NotificationCreated, value);
    // Someone else's notification on this user's channel is a publisher bug: never forward it.
    if (!parsed.success || parsed.output.userId !== userId) {
      this.logger.warn('dropped a message on a user channel that is not this user\'s notification.created', { userId, issue: parsed.issues?.[0]?.message });
      return;
    }
    const f = frame('notification', parsed.output);
    for (const conn of this.conns.get(userId) ?? []) conn.send(f);
  }
}
