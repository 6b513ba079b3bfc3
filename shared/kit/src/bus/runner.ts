/**
 * @module The consumer runner: contract-checked events to typed handlers, bounded retries with
 * backoff, then `<topic>.dlq` with the original coordinates in headers, then the next message.
 */
import { isTopic, parseEnvelope, type Envelope, type Topic } from '@syncro/contracts';
import type { Counter } from '../http/metrics.ts';
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
  dlqCounter?: Counter;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function runConsumer(opts: RunnerOptions): Promise<Subscription> {
  const { bus, groupId, handlers, maxAttempts = 5, baseBackoffMs = 100, maxBackoffMs = 3000 } = opts;
  const log = opts.logger.child({ consumer: groupId });
  const topics = Object.keys(handlers).filter(isTopic);

  const deadLetter = async (msg: IncomingMessage, attempts: number, error: string) => {
    log.warn('message sent to the DLQ', { topic: msg.topic, partition: msg.partition, offset: msg.offset, attempts, error });
    opts.dlqCounter?.inc({ topic: msg.topic, group: groupId });
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
        if (err instanceof PermanentError || attempt >= maxAttempts) return deadLetter(msg, attempt, error);
        const backoff = Math.min(maxBackoffMs, baseBackoffMs * 2 ** (attempt - 1));
        log.debug('handler failed; retrying', { topic, offset: msg.offset, attempt, backoff, error });
        await sleep(backoff * (0.75 + Math.random() * 0.5));
      }
    }
  };

  return bus.subscribe({ groupId, topics, fromBeginning: opts.fromBeginning ?? true, handle });
}
