/**
 * @module The Assignment Service's answers as valibot schemas, per status, for the routes'
 * `response` maps: `/openapi` documents them and Elysia checks what handlers return. They mirror
 * the presenters exactly (Elysia's check drops keys a schema does not name).
 */
import { PROJECT_ROLES, Uuid } from '@syncro/contracts';
import * as v from 'valibot';
import { OUTCOMES, TRIGGERS } from './assigning/decisions.model.ts';
import { AUTO_STRATEGIES } from './projection/projection.model.ts';

/** The kit's one error model (`{ error: { code, message, details? } }`). */
export const ErrorBody = v.object({
  error: v.object({ code: v.string(), message: v.string(), details: v.optional(v.unknown()) }),
});

const Iso = v.pipe(v.string(), v.isoTimestamp());

/** What every authenticated route may answer besides its own: no token, not a member (or no such thing), bad input. */
export const guardedErrors = { 400: ErrorBody, 401: ErrorBody, 404: ErrorBody, 422: ErrorBody, 503: ErrorBody } as const;

export const MemberBody = v.object({
  userId: Uuid,
  role: v.picklist(PROJECT_ROLES),
  weightedLoad: v.number(),
  openTickets: v.number(),
  capacity: v.nullable(v.number()),
  available: v.boolean(),
  awayUntil: v.nullable(Iso),
  skills: v.array(v.string()),
  lastAssignedAt: v.nullable(Iso),
});

export const WorkloadBody = v.object({
  projectId: Uuid,
  key: v.string(),
  strategy: v.picklist(AUTO_STRATEGIES),
  members: v.array(MemberBody),
  /** Open tickets nobody holds. */
  unassignedOpenTickets: v.number(),
});

export const StrategyReplyBody = v.object({ projectId: Uuid, key: v.string(), strategy: v.picklist(AUTO_STRATEGIES) });

const CandidateBody = v.object({
  userId: Uuid,
  /** 1 = the winner; null when excluded. */
  rank: v.nullable(v.number()),
  excluded: v.nullable(v.string()),
  load: v.number(),
  openTickets: v.number(),
  capacity: v.nullable(v.number()),
  skillMatches: v.array(v.string()),
  lastAssignedAt: v.nullable(Iso),
  awayUntil: v.nullable(Iso),
});

export const DecisionBody = v.object({
  id: Uuid,
  ticketId: Uuid,
  trigger: v.picklist(TRIGGERS),
  strategy: v.picklist(['least_loaded', 'specialist', 'manual']),
  outcome: v.picklist(OUTCOMES),
  assigneeId: v.nullable(Uuid),
  previousAssigneeId: v.nullable(Uuid),
  reason: v.string(),
  decidedBy: v.nullable(Uuid),
  decidedAt: Iso,
  /** In rank order (rank 1 won), then the excluded ones with why. */
  candidates: v.array(CandidateBody),
});

export const DecisionLogBody = v.object({
  ticketId: Uuid,
  code: v.string(),
  assigneeId: v.nullable(Uuid),
  assignedAt: v.nullable(Iso),
  /** Oldest first. */
  decisions: v.array(DecisionBody),
});
