/**
 * @module Payload schemas of every topic in DESIGN.md. Spec fields come first and are required
 * under the spec's names; the fields after `·` in DESIGN.md are our additions, marked below.
 */
import * as v from 'valibot';
import {
  AssignmentStrategy,
  IsoTimestamp,
  Label,
  Priority,
  ProjectKey,
  ProjectRole,
  TicketCode,
  TicketStatus,
  Uuid,
  Version,
} from './primitives.ts';

export const TicketCreated = v.object({
  ticketId: Uuid,
  projectId: Uuid,
  reporterId: Uuid,
  title: v.string(),
  priority: Priority,
  // additions
  code: TicketCode,
  status: TicketStatus,
  labels: v.array(Label),
  version: Version,
});

export const TicketStatusUpdated = v.object({
  ticketId: Uuid,
  oldStatus: TicketStatus,
  newStatus: TicketStatus,
  updatedBy: Uuid,
  // additions
  projectId: Uuid,
  code: TicketCode,
  version: Version,
});

export const TicketAssigned = v.object({
  ticketId: Uuid,
  assigneeId: Uuid,
  assignedAt: IsoTimestamp,
  // additions
  projectId: Uuid,
  strategy: AssignmentStrategy,
  previousAssigneeId: v.nullable(Uuid),
  /** Human-readable why (e.g. "least weighted load 2"); optional so manual tools can omit it. */
  reason: v.optional(v.string()),
  /** Who asked for a manual assignment; absent for automatic ones. */
  assignedBy: v.optional(v.nullable(Uuid)),
});

/** One changed field: its value before and after. */
export const FieldChange = v.object({ from: v.unknown(), to: v.unknown() });

export const TicketUpdated = v.object({
  ticketId: Uuid,
  projectId: Uuid,
  changes: v.record(v.string(), FieldChange),
  /** The user who changed it; null when the system applied it (an automatic assignment). */
  updatedBy: v.nullable(Uuid),
  version: Version,
  // additions
  code: TicketCode,
  /**
   * With `changes.assigneeId`: when that assignment was made. Assignments are ordered by it (the
   * newest wins), so the Assignment Service can tell its own assignments echoed back from newer ones.
   */
  assignedAt: v.optional(IsoTimestamp),
});

export const TicketCommented = v.object({
  ticketId: Uuid,
  projectId: Uuid,
  commentId: Uuid,
  authorId: Uuid,
  content: v.string(),
  version: Version,
  // additions
  code: TicketCode,
  parentId: v.nullable(Uuid),
});

export const TicketDeleted = v.object({
  ticketId: Uuid,
  projectId: Uuid,
  deletedBy: Uuid,
  version: Version,
  // additions
  code: TicketCode,
});

const projectEventFields = {
  projectId: Uuid,
  key: ProjectKey,
  /** project.created: the owner; member events: the member added or removed. */
  userId: Uuid,
  role: ProjectRole,
  // additions
  version: Version,
  /** Who did it (the creator, or the owner who managed membership). */
  actorId: Uuid,
};

export const ProjectCreated = v.object({ ...projectEventFields, name: v.string() });
export const ProjectMemberAdded = v.object(projectEventFields);
export const ProjectMemberRemoved = v.object(projectEventFields);

export const UserCreated = v.object({
  userId: Uuid,
  email: v.pipe(v.string(), v.email()),
  name: v.string(),
  locale: v.string(),
});

/** A user's name, email, locale or picture changed: each changed field with its value before and after. */
export const UserUpdated = v.object({
  userId: Uuid,
  changes: v.record(v.string(), FieldChange),
});

/** A notification entered a user's in-app feed (the realtime hub forwards it to that user's sockets). */
export const NotificationCreated = v.object({
  notificationId: Uuid,
  userId: Uuid,
  kind: v.pipe(v.string(), v.minLength(1)),
  title: v.string(),
  ticketId: v.optional(Uuid),
  projectId: v.optional(Uuid),
});

/** Fields every message value carries beside its payload. */
export const EnvelopeFields = {
  eventId: Uuid,
  timestamp: IsoTimestamp,
};
