/**
 * @module The realtime hub's frames, `{ event, data }` JSON both ways: one catalog per direction
 * that the hub and the client library both import (client → hub frames are valibot schemas, checked
 * on every inbound frame; hub → client frames are their types).
 */
import { TicketStatus, type Payload } from '@syncro/contracts';
import * as v from 'valibot';

/** Frames over this many bytes close the socket with 1009 (message too big). */
export const MAX_FRAME_BYTES = 64 * 1024;

/** Close codes the client acts on. */
export const CloseCode = {
  /** The access token expired: refresh it and reconnect (then resume). */
  tokenExpired: 4001,
  /** RFC 6455: the frame was larger than MAX_FRAME_BYTES. */
  tooBig: 1009,
} as const;

const Ref = v.pipe(v.string(), v.minLength(1), v.maxLength(64));
const Version = v.pipe(v.number(), v.integer('must be a whole number'), v.minValue(0, 'must be 0 or more'));
const RequestId = v.optional(v.pipe(v.string(), v.maxLength(100)));

export const JoinProject = v.pipe(
  v.strictObject({
    /** The project's UUID (or its key, for convenience). */
    projectId: v.optional(Ref),
    key: v.optional(Ref),
    /** The last version this client applied: the hub sends exactly what came after. */
    sinceVersion: v.optional(Version),
  }),
  v.check((d) => (d.projectId === undefined) !== (d.key === undefined), 'give exactly one of projectId and key'),
);

/** Client → hub. */
export const clientFrames = {
  joinProject: JoinProject,
  leaveProject: v.strictObject({ projectId: Ref }),
  userTyping: v.strictObject({ projectId: Ref, ticketId: Ref }),
  ticketMoved: v.strictObject({ ticketId: Ref, newStatus: TicketStatus, requestId: RequestId }),
  ping: v.optional(v.unknown()),
} as const;

export type ClientEvent = keyof typeof clientFrames;
export type ClientFrame = { [E in ClientEvent]: { event: E; data: v.InferOutput<(typeof clientFrames)[E]> } }[ClientEvent];

const Envelope = v.object({ event: v.string('event must be a string'), data: v.optional(v.unknown()) });

export type FrameProblem = { code: 'NOT_JSON' | 'BAD_FRAME' | 'UNKNOWN_EVENT' | 'VALIDATION_FAILED'; message: string };

const isClientEvent = (name: string): name is ClientEvent => Object.hasOwn(clientFrames, name);

/** Parses one inbound frame: the frame, or a problem that names what is wrong with it. */
export function parseClientFrame(raw: unknown): { ok: true; frame: ClientFrame } | { ok: false; problem: FrameProblem } {
  let value = raw;
  if (typeof raw === 'string') {
    try {
      value = JSON.parse(raw);
    } catch {
      return { ok: false, problem: { code: 'NOT_JSON', message: 'A frame must be JSON: {"event": ..., "data": ...}' } };
    }
  }
  const envelope = v.safeParse(Envelope, value);
  if (!envelope.success) {
    return { ok: false, problem: { code: 'BAD_FRAME', message: `A frame is a JSON object {"event": string, "data": ...}: ${envelope.issues[0].message}` } };
  }
  const { event, data } = envelope.output;
  if (!isClientEvent(event)) {
    return { ok: false, problem: { code: 'UNKNOWN_EVENT', message: `Unknown event "${event}"; expected one of ${Object.keys(clientFrames).join(', ')}` } };
  }
  const parsed = v.safeParse(clientFrames[event] as v.GenericSchema, data);
  if (!parsed.success) {
    const why = parsed.issues
      .map((i) => `${i.path?.map((p) => String(p.key)).join('.') || 'data'}: ${i.message}`)
      .join('; ');
    return { ok: false, problem: { code: 'VALIDATION_FAILED', message: `${event}: ${why}` } };
  }
  return { ok: true, frame: { event, data: parsed.output } as ClientFrame };
}

export interface PresenceUser {
  userId: string;
  name: string;
}

type Versioned = { projectId: string; version: number };

/** Hub → client. Every board frame carries its project and the project version it brings the board to. */
export interface ServerFrames {
  joined: { projectId: string; key: string; version: number; resumed: boolean; presence: PresenceUser[] };
  resync: { projectId: string; version: number; reason: string };
  ticketCreated: Versioned & { ticketId: string; code: string; title: string; priority: string; status: string; labels: string[]; reporterId: string };
  ticketMoved: Versioned & { ticketId: string; code: string; oldStatus: string; newStatus: string; userId: string };
  ticketUpdated: Versioned & { ticketId: string; code: string; changes: Record<string, { from: unknown; to: unknown }>; updatedBy: string | null };
  /** A `ticket.updated` that changed the assignee; `changes` holds every field it changed. */
  ticketAssigned: Versioned & {
    ticketId: string;
    code: string;
    assigneeId: string | null;
    previousAssigneeId: string | null;
    changes: Record<string, { from: unknown; to: unknown }>;
    updatedBy: string | null;
  };
  ticketCommented: Versioned & { ticketId: string; code: string; commentId: string; authorId: string; content: string; parentId: string | null };
  ticketDeleted: Versioned & { ticketId: string; code: string; deletedBy: string };
  memberAdded: Versioned & { userId: string; role: string };
  memberRemoved: Versioned & { userId: string; role: string };
  /** A version that changes nothing on the board (e.g. `project.created`); keeps the client's count contiguous. */
  versionSkipped: Versioned & { topic: string };
  kicked: { projectId: string; reason: string };
  left: { projectId: string };
  presence: { projectId: string; joined: PresenceUser[]; left: string[] };
  userTyping: { projectId: string; ticketId: string; userId: string; userName: string };
  /**
   * A notification for this user (`notification.created`), to their sockets only. Not versioned and
   * not replayed: after a reconnect the app reads what it missed from the Notification Service.
   */
  notification: Payload<'notification.created'>;
  pong: { at: string };
  error: { code: string; message: string; requestId?: string; projectId?: string; details?: unknown };
}

export type ServerEvent = keyof ServerFrames;
export type ServerFrame = { [E in ServerEvent]: { event: E; data: ServerFrames[E] } }[ServerEvent];

/** The board frames: the ones that carry a version and advance the client's position. */
export const BOARD_EVENTS = [
  'ticketCreated',
  'ticketMoved',
  'ticketUpdated',
  'ticketAssigned',
  'ticketCommented',
  'ticketDeleted',
  'memberAdded',
  'memberRemoved',
  'versionSkipped',
] as const satisfies ServerEvent[];

export const frame = <E extends ServerEvent>(event: E, data: ServerFrames[E]) => JSON.stringify({ event, data });
