/**
 * @module The consumer settings every consuming service reads from its environment under the
 * same names, and their translation into runner options.
 */
import * as v from 'valibot';
import { env } from '../config/index.ts';

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
   * A message whose handling fails (its database down or locked) is tried this many times, with
   * exponential backoff from 100 ms up to CONSUMER_MAX_BACKOFF_MS, then goes to `<topic>.dlq`.
   * The partition waits meanwhile (per-project order), so the window is kept to seconds.
   */
  CONSUMER_MAX_ATTEMPTS: v.optional(v.pipe(v.string(), v.transform(Number), v.integer('must be a whole number'), v.minValue(1)), '5'),
  CONSUMER_MAX_BACKOFF_MS: env.number(3000),
});

export interface ConsumerConfig {
  KAFKA_GROUP_ID: string;
  KAFKA_OFFSET_RESET: 'earliest' | 'latest';
  CONSUMER_MAX_ATTEMPTS: number;
  CONSUMER_MAX_BACKOFF_MS: number;
}

export interface ConsumerSettings {
  groupId: string;
  /** Start a new group at the topics' end (tests on a shared broker, or `latest`). */
  fromNow: boolean;
  maxAttempts: number;
  maxBackoffMs: number;
}

export const consumerSettings = (c: ConsumerConfig, fromNow?: boolean): ConsumerSettings => ({
  groupId: c.KAFKA_GROUP_ID,
  fromNow: fromNow ?? c.KAFKA_OFFSET_RESET === 'latest',
  maxAttempts: c.CONSUMER_MAX_ATTEMPTS,
  maxBackoffMs: c.CONSUMER_MAX_BACKOFF_MS,
});
