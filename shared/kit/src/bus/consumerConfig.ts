/**
 * @module The consumer settings every consuming service reads from its environment under the
 * same names, and their translation into runner options.
 */
import * as v from 'valibot';
import { env } from '../config/index.ts';

const positiveInt = (fallback: string) => v.optional(v.pipe(v.string(), v.transform(Number), v.integer('must be a whole number'), v.minValue(1)), fallback);

/** Spread into a service's config schema: `...consumerEnv('tickets')`. */
export const consumerEnv = (defaultGroup: string) => ({
  /** Kafka consumer group of the service's consumer. */
  KAFKA_GROUP_ID: env.string(defaultGroup),
  /**
   * Where a consumer group with no committed offset starts: `earliest` (a fresh deployment builds
   * from the retained history) or `latest` (only what is published from start-up on).
   */
  KAFKA_OFFSET_RESET: v.optional(v.picklist(['earliest', 'latest']), 'earliest'),
  /**
   * A message whose handler fails for no known reason is tried this many times, with exponential
   * backoff from 100 ms up to CONSUMER_MAX_BACKOFF_MS, then goes to `<topic>.dlq`. Only its
   * partition waits meanwhile. A dependency that is away (database down, timeout, 503) is waited
   * out without limit, at most CONSUMER_MAX_BACKOFF_MS between tries; a domain refusal or a
   * payload that breaks its contract goes to the DLQ at once.
   */
  CONSUMER_MAX_ATTEMPTS: positiveInt('5'),
  CONSUMER_MAX_BACKOFF_MS: env.number(3000),
  /**
   * Partitions handled at the same time, each in order: a slow or waiting partition holds up
   * only its own projects. The topics have 3 partitions each, so 8 covers what one instance
   * usually owns; more costs database connections (each handler holds one).
   */
  CONSUMER_PARTITION_CONCURRENCY: positiveInt('8'),
});

export interface ConsumerConfig {
  KAFKA_GROUP_ID: string;
  KAFKA_OFFSET_RESET: 'earliest' | 'latest';
  CONSUMER_MAX_ATTEMPTS: number;
  CONSUMER_MAX_BACKOFF_MS: number;
  CONSUMER_PARTITION_CONCURRENCY: number;
}

export interface ConsumerSettings {
  groupId: string;
  /** Start a new group at the topics' end (`latest`). */
  fromNow: boolean;
  maxAttempts: number;
  maxBackoffMs: number;
  concurrency: number;
}

export const consumerSettings = (c: ConsumerConfig): ConsumerSettings => ({
  groupId: c.KAFKA_GROUP_ID,
  fromNow: c.KAFKA_OFFSET_RESET === 'latest',
  maxAttempts: c.CONSUMER_MAX_ATTEMPTS,
  maxBackoffMs: c.CONSUMER_MAX_BACKOFF_MS,
  concurrency: c.CONSUMER_PARTITION_CONCURRENCY,
});
