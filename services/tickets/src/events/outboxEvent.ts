/**
 * @module An outbox event made ready for an INSERT that is part of a larger statement. The same
 * envelope and headers `appendToOutbox` writes, validated against the contract here; values only
 * the statement knows (the project version, a ticket code) are given as placeholders of the right
 * type and replaced in SQL, so the stored row is exactly what `appendToOutbox` would have stored.
 */
import { EventHeader, SCHEMA_VERSION, envelopeSchema, type Envelope, type Payload, type Topic } from '@syncro/contracts';
import { newTraceparent } from '@syncro/kit/outbox';
import * as v from 'valibot';

export interface PreparedEvent<T extends Topic> {
  envelope: Envelope<T>;
  /** JSON of the envelope (the `payload` column) and of the Kafka headers (the `headers` column). */
  payloadJson: string;
  headersJson: string;
}

export function prepareEvent<T extends Topic>(topic: T, payload: Payload<T>, traceparent = newTraceparent()): PreparedEvent<T> {
  const envelope = v.parse(envelopeSchema(topic), { ...payload, eventId: Bun.randomUUIDv7(), timestamp: new Date().toISOString() });
  const headers: Record<string, string> = {
    [EventHeader.id]: envelope.eventId,
    [EventHeader.type]: topic,
    [EventHeader.schemaVersion]: SCHEMA_VERSION,
    [EventHeader.traceparent]: traceparent,
  };
  return { envelope, payloadJson: JSON.stringify(envelope), headersJson: JSON.stringify(headers) };
}
