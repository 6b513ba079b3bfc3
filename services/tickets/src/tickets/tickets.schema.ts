/** @module Request schemas of the ticket routes. */
import { Label, Priority, TicketCode, TicketStatus } from '@syncro/contracts';
import * as v from 'valibot';
import { Id, ProjectRef } from '../projects/projects.schema.ts';

/** A ticket is addressed by its UUID or its code (`SYNC-12`). */
export const TicketRef = v.union([Id, TicketCode], 'must be a ticket UUID or a code like SYNC-12');
export const TicketParams = v.object({ id: TicketRef });
export const ProjectTicketsParams = v.object({ id: ProjectRef });

const Title = v.pipe(v.string(), v.trim(), v.minLength(1, 'must not be empty'), v.maxLength(200));
const Description = v.nullable(v.pipe(v.string(), v.maxLength(20_000)));
const Labels = v.pipe(
  v.array(Label),
  v.maxLength(20, 'at most 20 labels'),
  v.transform((labels) => [...new Set(labels)]),
);

export const CreateTicketBody = v.strictObject({
  title: Title,
  description: v.optional(Description),
  priority: v.optional(Priority, 'MEDIUM'),
  labels: v.optional(Labels, []),
});

export const PatchTicketBody = v.pipe(
  v.strictObject({
    title: v.optional(Title),
    description: v.optional(Description),
    priority: v.optional(Priority),
    labels: v.optional(Labels),
    /** A member of the project, or null to unassign. */
    assigneeId: v.optional(v.nullable(Id)),
  }),
  v.check((b) => Object.keys(b).length > 0, 'name at least one field to change'),
);

export const StatusBody = v.strictObject({ status: TicketStatus });

// Loose: a strict headers schema would strip Authorization before the guard reads it.
export const IfMatchHeaders = v.looseObject({ 'if-match': v.optional(v.string()) });
