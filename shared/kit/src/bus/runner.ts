/**
 * @module The consumer runner: contract-checked events to typed handlers, bounded retries with
 * backoff, then `<topic>.dlq` with the original coordinates in headers, then the next message.
 */
import { isTopic, parseEnvelope, type Envelope, type Topic } from '@syncro/contracts';
import { DomainError } from '../errors/index.ts';
import type { MetricsRegistry } from '../metrics/index.ts';
import type { Logger } from '../log/index.ts';
import type { EventBus, IncomingMessage, Subscription } from './port.ts';

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
  /** Attempts before the DLQ, the first one included. */
  maxAttempts?: number;
  baseBackoffMs?: number;
  maxBackoffMs?: number;
  fromBeginning?: boolean;
  /** See `SubscribeOptions.fromNow`. */
  fromNow?: boolean;
  /** Counts `consumer_retries_total` and `consumer_dead_letters_total` by topic and group. */
  metrics?: MetricsRegistry;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function runConsumer(opts: RunnerOptions): Promise<Subscription> {
  const { bus, groupId, handlers, maxAttempts = 5, baseBackoffMs = 100, maxBackoffMs = 3000 } = opts;
  const log = opts.logger.child({ consumer: groupId });
  const retries = opts.metrics?.counter('consumer_retries_total', 'Handler failures that were retried, by topic and group');
  const deadLetters = opts.metrics?.counter('consumer_dead_letters_total', 'Messages sent to a DLQ, by topic and group');
  const topics = Object.keys(handlers).filter(isTopic);

  const deadLetter = async (msg: IncomingMessage, attempts: number, error: string) => {
    log.warn('message sent to the DLQ', { topic: msg.topic, partition: msg.partition, offset: msg.offset, attempts, error });
    deadLetters?.inc({ topic: msg.topic, group: groupId });
    // If this publish fails it throws, the offset is not committed, and the message comes again.
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
  };

  const handle = async (msg: IncomingMessage) => {
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

    for (let attempt = 1; ; attempt++) {
      try {
        await handler(parsed.output, msg);
        return;
      } catch (err) {
        const error = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
        // A domain refusal (an unknown ticket, a conflict) is deterministic: retrying cannot change it.
        if (err instanceof PermanentError || err instanceof DomainError || attempt >= maxAttempts) return deadLetter(msg, attempt, error);
        const backoff = Math.min(maxBackoffMs, baseBackoffMs * 2 ** (attempt - 1));
        retries?.inc({ topic, group: groupId });
        log.debug('handler failed; retrying', { topic, offset: msg.offset, attempt, backoff, error });
        await sleep(backoff * (0.75 + Math.random() * 0.5));
      }
    }
  };

  return bus.subscribe({ groupId, topics, fromBeginning: opts.fromBeginning ?? true, fromNow: opts.fromNow ?? false, handle });
}

export interface BackgroundConsumer {
  /** Resolves once the group is joined and consuming; never rejects (failures are retried). */
  ready: Promise<void>;
  /** For `/health`: throws until the group is joined (new messages are not consumed before). */
  check(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Starts `runConsumer` without holding up the service's start: a broker that is away must not
 * keep the HTTP API down (events wait in the producers' outboxes). Joining is retried until it works.
 */
export function startConsumerInBackground(opts: RunnerOptions): BackgroundConsumer {
  let sub: Subscription | null = null;
  let stopped = false;
  let joined = false;
  const ready = (async () => {
    for (let delay = 500; !stopped; delay = Math.min(delay * 2, 10_000)) {
      try {
        sub = await runConsumer(opts);
        joined = true;
        if (stopped) await sub.stop();
        return;
      } catch (err) {
        if (stopped) return;
        opts.logger.warn('consumer cannot join; will retry', { groupId: opts.groupId, err });
        await sleep(delay);
      }
    }
  })();
  return {
    ready,
    async check() {
      if (!joined) throw new Error(`consumer group ${opts.groupId} not joined yet`);
    },
    async stop() {
      stopped = true;
      await sub?.stop();
    },
  };
}
