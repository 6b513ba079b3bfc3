/** @module Value types every event and API shares: ids, statuses, priorities, roles. */
import * as v from 'valibot';

export const Uuid = v.pipe(v.string(), v.uuid());
export const IsoTimestamp = v.pipe(v.string(), v.isoTimestamp());

const daysIn = (year: number, month: number) =>
  month === 2 ? (year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28) : [4, 6, 9, 11].includes(month) ? 30 : 31;

/**
 * True when `s` (already ISO-shaped) names a real instant that every store keeps as written: a day
 * that exists in its month (`Date` turns 2030-02-31 into March 3), a year 1..9999 before and after
 * its offset (Postgres has no year 0), and a text `Date` reads at all.
 */
export function isRealTimestamp(s: string): boolean {
  const m = /^(\d{4})-(\d{2})-(\d{2})T/.exec(s);
  if (!m) return false;
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (year < 1 || month < 1 || month > 12 || day < 1 || day > daysIn(year, month)) return false;
  const ms = Date.parse(s);
  if (!Number.isFinite(ms)) return false;
  const utcYear = new Date(ms).getUTCFullYear();
  return utcYear >= 1 && utcYear <= 9999;
}

/** An ISO 8601 time such as `2030-01-31T09:00:00Z` that is a real date (see `isRealTimestamp`), for input from outside. */
export const StrictIsoTimestamp = v.pipe(
  v.string('must be an ISO 8601 time such as 2030-01-31T09:00:00Z'),
  v.isoTimestamp('must be an ISO 8601 time such as 2030-01-31T09:00:00Z'),
  v.check(isRealTimestamp, 'must be a real date and time, years 1 to 9999, such as 2030-01-31T09:00:00Z'),
);
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
