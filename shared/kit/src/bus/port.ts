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

export interface SubscribeOptions {
  /** Consumer group: each group sees every message once; members of one group share partitions. */
  groupId: string;
  topics: string[];
  /** Where a group with no committed offset starts; defaults to the beginning so nothing is missed. */
  fromBeginning?: boolean;
  /**
   * A group with no committed offset starts at the topics' end as of this call, not as of its first
   * fetch (which comes after the group join, and would skip what was published meanwhile). For
   * instances that share a broker with others' history (tests); a committed offset still wins.
   */
  fromNow?: boolean;
  /** Resolves when the message is done with; the position advances only then. */
  handle: (message: IncomingMessage) => Promise<void>;
}

export interface Subscription {
  stop(): Promise<void>;
}

export interface EventBus {
  /** Publishes in the order given; resolves once the broker has acknowledged every message. */
  publish(messages: OutgoingMessage[]): Promise<void>;
  subscribe(options: SubscribeOptions): Promise<Subscription>;
  close(): Promise<void>;
}
