/** @module The bus port: what services need from a broker, independent of Kafka or anything else. */

export interface OutgoingMessage {
  topic: string;
  key: string;
  value: string;
  headers: Record<string, string>;
}

export interface IncomingMessage {
  topic: string;
  partition: number;
  offset: string;
  key: string | null;
  value: string | null;
  headers: Record<string, string>;
}

/**
 * What `handle` may answer instead of finishing: "not now, again in `retryInMs`". The adapter then
 * pauses only this message's partition (its position stays on this message, so per-key order holds)
 * and goes on with every other partition meanwhile.
 */
export interface RetryLater {
  retryInMs: number;
}

export interface SubscribeOptions {
  /** Consumer group: each group sees every message once; members of one group share partitions. */
  groupId: string;
  topics: string[];
  /** Where a group with no committed offset starts; defaults to the beginning so nothing is missed. */
  fromBeginning?: boolean;
  /**
   * A group with no committed offset starts at the topics' end as of this call, not as of its first
   * fetch (which comes after the group join, and would skip what was published meanwhile): what
   * `KAFKA_OFFSET_RESET=latest` means. A committed offset still wins.
   */
  fromNow?: boolean;
  /** Partitions handled at the same time (each one still in order); default 8. */
  concurrency?: number;
  /** Resolves when the message is done with; the position advances only then. */
  handle: (message: IncomingMessage) => Promise<void | RetryLater>;
}

export interface Subscription {
  /** For `/health`: throws unless this member is in its group now and the broker answers. */
  check(): Promise<void>;
  stop(): Promise<void>;
}

export interface EventBus {
  /** Publishes in the order given; resolves once the broker has acknowledged every message. */
  publish(messages: OutgoingMessage[]): Promise<void>;
  subscribe(options: SubscribeOptions): Promise<Subscription>;
  /** For `/health`: throws unless the broker answers now (within about a second). */
  check(): Promise<void>;
  close(): Promise<void>;
}
