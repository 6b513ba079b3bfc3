/**
 * @module The consumer runner: contract-checked events to typed handlers. A message that cannot
 * be handled *now* waits on its own partition (paused, retried with capped backoff) while every
 * other partition goes on; a dependency that is away (a database down, a timeout, a 503) is waited
 * out however long it takes, with health `degraded` meanwhile; only what can never be applied
 * goes to `<topic>.dlq` (with the original coordinates in headers), and then the next message.
 */
import { isTopic, parseEnvelope, type Envelope, type Topic } from '@syncro/contracts';
import { DomainError, Unavailable, isUnavailable } from '../errors/index.ts';
import type { MetricsRegistry } from '../metrics/index.ts';
import type { Logger } from '../log/index.ts';
import type { EventBus, IncomingMessage, RetryLater, Subscription } from './port.ts';

/**
 * A handler finishes (the message is done), or throws. It never waits for an entity that has not
 * arrived yet: out of order is normal (an update before its create): apply what can be applied or
 * record a placeholder, and return.
 */
export type Handlers = { [T in Topic]?: (event: Envelope<T>, message: IncomingMessage) => Promise<void> };

/** Thrown by a handler for a failure that retrying cannot fix (an unknown ticket): straight to the DLQ. */
export class PermanentError extends Error {
  override name = 'PermanentError';
}

export const DlqHeader = {
  topic: 'dlq-original-topic',
  partition: 'dlq-original-partition',
  offset: 'dlq-original-offset',
  attempts: 'dlq-attempts',
  error: 'dlq-error',
  group: 'dlq-consumer-group',
  failedAt: 'dlq-failed-at',
} as const;

export interface RunnerOptions {
  bus: EventBus;
  groupId: string;
  handlers: Handlers;
  logger: Logger;
  /** Attempts before the DLQ for an unexplained failure (a bug, a constraint), the first one included. */
  maxAttempts?: number;
  baseBackoffMs?: number;
  /** The cap of the backoff, also while a dependency is away (which is retried without limit). */
  maxBackoffMs?: number;
  fromBeginning?: boolean;
  /** See `SubscribeOptions.fromNow`. */
  fromNow?: boolean;
  /** Partitions handled at the same time; see `SubscribeOptions.concurrency`. */
  concurrency?: number;
  /** `consumer_retries_total`, `consumer_dead_letters_total`, `consumer_stuck_seconds` by group. */
  metrics?: MetricsRegistry;
}

/** A dependency that is away: waited out, never dead-lettered. */
export const isDependencyDown = (err: unknown) =>
  err instanceof Unavailable || isUnavailable(err) || (err instanceof Error && /^KafkaJS(Connection|RequestTimeout|NumberOfRetriesExceeded)/.test(err.name));

/** A failure that retrying cannot change: a domain refusal (an unknown ticket, a conflict). */
const isDeterministic = (err: unknown) => err instanceof PermanentError || (err instanceof DomainError && !(err instanceof Unavailable));

/** The message each partition is stuck on, if any: bounded by the partitions, not the messages. */
interface Stuck {
  offset: string;
  attempts: number;
  since: number;
  lastTry: number;
  unavailable: boolean;
}

export interface Consumer extends Subscription {
  /** Messages waiting for a retry now, oldest first (for `/health` and the stuck-age gauge). */
  stuck(): { topic: string; partition: number; attempts: number; ageMs: number; unavailable: boolean }[];
}

export async function runConsumer(opts: RunnerOptions): Promise<Consumer> {
  const { bus, groupId, handlers, maxAttempts = 5, baseBackoffMs = 100, maxBackoffMs = 3000 } = opts;
  const log = opts.logger.child({ consumer: groupId });
  const retries = opts.metrics?.counter('consumer_retries_total', 'Handler failures that were retried, by topic and group');
  const deadLetters = opts.metrics?.counter('consumer_dead_letters_total', 'Messages sent to a DLQ, by topic and group');
  const topics = Object.keys(handlers).filter(isTopic);
  const stuck = new Map<string, Stuck>();
  /**
   * Handlers of one key (a project: every topic is keyed by project id) never run at the same
   * time, whichever topics their messages came on: partitions are handled side by side, and two
   * transactions of one project that cannot see each other (a ticket.created decided while its
   * project.created is being applied) would each miss the other.
   */
  const keyTails = new Map<string, Promise<void>>();
  const oneAtATime = async (key: string | null, f: () => Promise<void>) => {
    if (!key) return f();
    const before = keyTails.get(key);
    const { promise: mine, resolve: done } = Promise.withResolvers<void>();
    keyTails.set(key, mine);
    try {
      await before;
      return await f();
    } finally {
      done();
      if (keyTails.get(key) === mine) keyTails.delete(key);
    }
  };
  const backoff = (attempt: number) => Math.round(Math.min(maxBackoffMs, baseBackoffMs * 2 ** (attempt - 1)) * (0.75 + Math.random() * 0.5));

  const deadLetter = async (msg: IncomingMessage, attempts: number, error: string): Promise<void | RetryLater> => {
    log.warn('message sent to the DLQ', { topic: msg.topic, partition: msg.partition, offset: msg.offset, attempts, error });
    try {
      await bus.publish([
        {
          topic: `${msg.topic}.dlq`,
          key: msg.key ?? '',
          value: msg.value ?? '',
          headers: {
            ...msg.headers,
            [DlqHeader.topic]: msg.topic,
            [DlqHeader.partition]: String(msg.partition),
            [DlqHeader.offset]: msg.offset,
            [DlqHeader.attempts]: String(attempts),
            [DlqHeader.error]: error.slice(0, 2000),
            [DlqHeader.group]: groupId,
            [DlqHeader.failedAt]: new Date().toISOString(),
          },
        },
      ]);
    } catch (err) {
      // The broker is away: the message stays where it is and is dead-lettered later.
      log.warn('cannot publish to the DLQ; will try again', { topic: msg.topic, offset: msg.offset, err });
      return { retryInMs: maxBackoffMs };
    }
    deadLetters?.inc({ topic: msg.topic, group: groupId });
    stuck.delete(`${msg.topic}/${msg.partition}`);
  };

  const handle = async (msg: IncomingMessage): Promise<void | RetryLater> => {
    const topic = msg.topic as Topic;
    const handler = handlers[topic] as ((e: unknown, m: IncomingMessage) => Promise<void>) | undefined;
    if (!handler) return;

    // A payload that breaks its contract fails the same way every time: no retries.
    let value: unknown;
    try {
      value = JSON.parse(msg.value ?? '');
    } catch {
      return deadLetter(msg, 1, 'invalid payload: value is not JSON');
    }
    const parsed = parseEnvelope(topic, value);
    if (!parsed.success) {
      const why = parsed.issues.map((i) => `${i.path?.map((p) => String(p.key)).join('.') || '(value)'}: ${i.message}`).join('; ');
      return deadLetter(msg, 1, `invalid payload: ${why}`);
    }

    const slot = `${topic}/${msg.partition}`;
    const prior = stuck.get(slot);
    const state: Stuck = prior?.offset === msg.offset ? prior : { offset: msg.offset, attempts: 0, since: performance.now(), lastTry: 0, unavailable: false };
    state.attempts++;
    state.lastTry = performance.now();
    try {
      await oneAtATime(msg.key, () => handler(parsed.output, msg));
      if (state.attempts > 1) log.info('message handled after retries', { topic, partition: msg.partition, offset: msg.offset, attempts: state.attempts });
      stuck.delete(slot);
      return;
    } catch (err) {
      const error = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
      if (isDeterministic(err)) return deadLetter(msg, state.attempts, error);
      state.unavailable = isDependencyDown(err);
      // Waiting for a dependency has no attempt limit: the message is fine, the world is not.
      if (!state.unavailable && state.attempts >= maxAttempts) return deadLetter(msg, state.attempts, error);
      stuck.set(slot, state);
      retries?.inc({ topic, group: groupId });
      const retryInMs = backoff(state.attempts);
      const details = { topic, partition: msg.partition, offset: msg.offset, attempt: state.attempts, retryInMs, error };
      // One line per outage, not one per retry.
      if (state.attempts === 2 && state.unavailable) log.warn('dependency unavailable; partition paused until it returns', details);
      else log.debug('handler failed; will retry', details);
      return { retryInMs };
    }
  };

  const sub = await bus.subscribe({
    groupId,
    topics,
    fromBeginning: opts.fromBeginning ?? true,
    fromNow: opts.fromNow ?? false,
    ...(opts.concurrency ? { concurrency: opts.concurrency } : {}),
    handle,
  });
  return {
    check: () => sub.check(),
    stop: async () => {
      await sub.stop();
      stuck.clear();
    },
    stuck: () =>
      [...stuck]
        // A partition that went to another member (a rebalance) while it waited is not ours to report.
        .filter(([slot, s]) => performance.now() - s.lastTry < 2 * maxBackoffMs + 5000 || !stuck.delete(slot))
        .map(([slot, s]) => {
          const cut = slot.lastIndexOf('/');
          return { topic: slot.slice(0, cut), partition: Number(slot.slice(cut + 1)), attempts: s.attempts, ageMs: performance.now() - s.since, unavailable: s.unavailable };
        })
        .sort((a, b) => b.ageMs - a.ageMs),
  };
}

export interface BackgroundConsumer {
  /** Resolves once the group is joined and consuming; never rejects (failures are retried). */
  ready: Promise<void>;
  /**
   * For `/health` (not critical: events wait in Kafka): throws until the group is joined, while
   * the broker is away, and while a partition waits for a dependency (one that is down) for over a second.
   */
  check(): Promise<void>;
  stop(): Promise<void>;
}

/** A message stuck for this long on an unavailable dependency makes the consumer `degraded`. */
const STUCK_DEGRADED_MS = 1000;

/**
 * Starts `runConsumer` without holding up the service's start: a broker that is away must not
 * keep the HTTP API down (events wait in the producers' outboxes). Joining is retried until it works.
 */
export function startConsumerInBackground(opts: RunnerOptions): BackgroundConsumer {
  let consumer: Consumer | null = null;
  let stopped = false;
  opts.metrics?.gauge(
    'consumer_stuck_seconds',
    'Age of the oldest message waiting for a retry (a dependency away, a failing handler), by group; 0 when none',
    () => (consumer?.stuck()[0]?.ageMs ?? 0) / 1000,
    { group: opts.groupId },
  );
  const ready = (async () => {
    for (let delay = 500; !stopped; delay = Math.min(delay * 2, 10_000)) {
      try {
        consumer = await runConsumer(opts);
        if (stopped) await consumer.stop();
        return;
      } catch (err) {
        if (stopped) return;
        opts.logger.warn('consumer cannot join; will retry', { groupId: opts.groupId, err });
        await Bun.sleep(delay);
      }
    }
  })();
  return {
    ready,
    async check() {
      if (!consumer) throw new Error(`consumer group ${opts.groupId} not joined yet`);
      await consumer.check();
      const waiting = consumer.stuck().find((s) => s.unavailable && s.ageMs >= STUCK_DEGRADED_MS);
      if (waiting) throw new Error(`${waiting.topic} partition ${waiting.partition} waits for an unavailable dependency (${Math.round(waiting.ageMs / 1000)} s, ${waiting.attempts} attempts)`);
    },
    async stop() {
      stopped = true;
      await consumer?.stop();
    },
  };
}
