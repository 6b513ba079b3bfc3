/** @module The one map from topic to payload schema; producers and consumers both infer from it. */
import * as v from 'valibot';
import * as e from './events.ts';

export const catalog = {
  'ticket.created': e.TicketCreated,
  'ticket.status.updated': e.TicketStatusUpdated,
  'ticket.assigned': e.TicketAssigned,
  'ticket.updated': e.TicketUpdated,
  'ticket.commented': e.TicketCommented,
  'ticket.deleted': e.TicketDeleted,
  'project.created': e.ProjectCreated,
  'project.member.added': e.ProjectMemberAdded,
  'project.member.removed': e.ProjectMemberRemoved,
  'user.created': e.UserCreated,
  'user.updated': e.UserUpdated,
  'notification.created': e.NotificationCreated,
} as const;

export type Topic = keyof typeof catalog;
export const TOPICS = Object.keys(catalog) as Topic[];
export const dlqTopic = (topic: Topic): `${Topic}.dlq` => `${topic}.dlq`;

/** Bumped when a payload changes incompatibly; travels in the `schema-version` header. */
export const SCHEMA_VERSION = '1';

export type Payload<T extends Topic> = v.InferOutput<(typeof catalog)[T]>;
export type Envelope<T extends Topic> = Payload<T> & { eventId: string; timestamp: string };
export type AnyEnvelope = { [T in Topic]: { topic: T; value: Envelope<T> } }[Topic];

/** The payload fields DESIGN.md's original spec names for each topic: required, under these names. */
export const SPEC_FIELDS: { [T in Topic]: readonly (keyof Payload<T> & string)[] } = {
  'ticket.created': ['ticketId', 'projectId', 'reporterId', 'title', 'priority'],
  'ticket.status.updated': ['ticketId', 'oldStatus', 'newStatus', 'updatedBy'],
  'ticket.assigned': ['ticketId', 'assigneeId', 'assignedAt'],
  'ticket.updated': ['ticketId', 'projectId', 'changes', 'updatedBy', 'version'],
  'ticket.commented': ['ticketId', 'projectId', 'commentId', 'authorId', 'content', 'version'],
  'ticket.deleted': ['ticketId', 'projectId', 'deletedBy', 'version'],
  'project.created': ['projectId', 'key', 'userId', 'role'],
  'project.member.added': ['projectId', 'key', 'userId', 'role'],
  'project.member.removed': ['projectId', 'key', 'userId', 'role'],
  'user.created': ['userId', 'email', 'name', 'locale'],
  'user.updated': ['userId', 'changes'],
  'notification.created': ['notificationId', 'userId', 'kind', 'title'],
};

const envelopeSchemas = Object.fromEntries(
  TOPICS.map((topic) => [topic, v.object({ ...catalog[topic].entries, ...e.EnvelopeFields })]),
) as unknown as { [T in Topic]: v.GenericSchema<unknown, Envelope<T>> };

export const envelopeSchema = <T extends Topic>(topic: T) => envelopeSchemas[topic];

export const isTopic = (name: string): name is Topic => name in catalog;

/** Header names every message carries (DESIGN § Event contracts). */
export const EventHeader = {
  id: 'event-id',
  type: 'event-type',
  schemaVersion: 'schema-version',
  traceparent: 'traceparent',
} as const;

const USER_KEYED: ReadonlySet<Topic> = new Set(['user.created', 'user.updated', 'notification.created']);

/** The partition key: the user for user topics and notifications (one user's stay in order), the project for everything else. */
export function partitionKey<T extends Topic>(topic: T, payload: Payload<T>): string {
  return USER_KEYED.has(topic) ? (payload as { userId: string }).userId : (payload as { projectId: string }).projectId;
}

/** Parses a message value against its topic's contract; returns issues instead of throwing. */
export function parseEnvelope<T extends Topic>(topic: T, value: unknown) {
  return v.safeParse(envelopeSchemas[topic], value);
}
