/**
 * @module Response schemas of the Ticket Service, per status, so `/openapi` documents what comes
 * back. They mirror the presenters (which stay the one place that decides the shape); Elysia checks
 * each answer against them, so a presenter that drifts fails its route's tests.
 */
import { PRIORITIES, TICKET_STATUSES } from '@syncro/contracts';
import * as v from 'valibot';

const Timestamp = v.pipe(v.string(), v.isoTimestamp());

/** The error model of every 4xx/5xx: `{ error: { code, message, details? } }`. */
export const ErrorView = v.object({ error: v.object({ code: v.string(), message: v.string(), details: v.optional(v.unknown()) }) });

/** The errors any guarded route may answer, besides its own. */
export const guardedErrors = { 400: ErrorView, 401: ErrorView, 404: ErrorView, 422: ErrorView, 503: ErrorView } as const;

export const ProjectView = v.object({
  id: v.string(),
  key: v.string(),
  name: v.string(),
  description: v.nullable(v.string()),
  version: v.number(),
  ticketCount: v.number(),
  createdBy: v.string(),
  createdAt: Timestamp,
  role: v.optional(v.picklist(['owner', 'member'])),
});
export const ProjectListView = v.object({ projects: v.array(ProjectView) });

export const MemberView = v.object({ userId: v.string(), role: v.picklist(['owner', 'member']), addedAt: Timestamp });
export const MemberListView = v.object({ projectId: v.string(), members: v.array(MemberView) });

export const TicketView = v.object({
  id: v.string(),
  code: v.string(),
  projectId: v.string(),
  title: v.string(),
  description: v.nullable(v.string()),
  priority: v.picklist(PRIORITIES),
  status: v.picklist(TICKET_STATUSES),
  labels: v.array(v.string()),
  reporterId: v.string(),
  assigneeId: v.nullable(v.string()),
  version: v.number(),
  createdAt: Timestamp,
  updatedAt: Timestamp,
});

const commentFields = {
  id: v.string(),
  ticketId: v.string(),
  parentId: v.nullable(v.string()),
  authorId: v.string(),
  content: v.string(),
  createdAt: Timestamp,
};
export const CommentView = v.object(commentFields);
type Thread = v.InferOutput<typeof CommentView> & { replies: Thread[] };
const ThreadView: v.GenericSchema<Thread> = v.object({ ...commentFields, replies: v.array(v.lazy(() => ThreadView)) });
export const ThreadListView = v.object({ ticketId: v.string(), comments: v.array(ThreadView) });

export const EventLogView = v.object({
  projectId: v.string(),
  version: v.number(),
  resync: v.boolean(),
  hasMore: v.boolean(),
  events: v.array(v.object({ topic: v.string(), version: v.nullable(v.number()), data: v.record(v.string(), v.unknown()) })),
});

/** The board route answers cached bytes (a raw Response): this documents them, Elysia does not check them. */
export const BoardView = v.object({
  projectId: v.string(),
  version: v.number(),
  columns: v.object({ OPEN: v.array(TicketView), IN_PROGRESS: v.array(TicketView), REVIEW: v.array(TicketView), DONE: v.array(TicketView) }),
});
