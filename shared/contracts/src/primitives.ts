/** @module Value types every event and API shares: ids, statuses, priorities, roles. */
import * as v from 'valibot';

export const Uuid = v.pipe(v.string(), v.uuid());
export const IsoTimestamp = v.pipe(v.string(), v.isoTimestamp());
/** Monotonic per-project counter (DESIGN guarantee 3). */
export const Version = v.pipe(v.number(), v.integer(), v.minValue(0));

export const TICKET_STATUSES = ['OPEN', 'IN_PROGRESS', 'REVIEW', 'DONE'] as const;
export const TicketStatus = v.picklist(TICKET_STATUSES);
export type TicketStatus = v.InferOutput<typeof TicketStatus>;

export const PRIORITIES = ['LOW', 'MEDIUM', 'HIGH', 'URGENT'] as const;
export const Priority = v.picklist(PRIORITIES);
export type Priority = v.InferOutput<typeof Priority>;

export const PROJECT_ROLES = ['owner', 'member'] as const;
export const ProjectRole = v.picklist(PROJECT_ROLES);
export type ProjectRole = v.InferOutput<typeof ProjectRole>;

export const ASSIGNMENT_STRATEGIES = ['least_loaded', 'specialist', 'manual'] as const;
export const AssignmentStrategy = v.picklist(ASSIGNMENT_STRATEGIES);

export const PROJECT_KEY_PATTERN = /^[A-Z][A-Z0-9]{1,9}$/;
export const ProjectKey = v.pipe(
  v.string(),
  v.regex(PROJECT_KEY_PATTERN, 'must be 2-10 upper-case letters or digits, starting with a letter'),
);
/** `SYNC-12`: the project key, a dash, the per-project number. */
export const TICKET_CODE_PATTERN = /^([A-Z][A-Z0-9]{1,9})-([1-9][0-9]*)$/;
export const TicketCode = v.pipe(v.string(), v.regex(TICKET_CODE_PATTERN));

export const Label = v.pipe(v.string(), v.trim(), v.minLength(1), v.maxLength(40));
