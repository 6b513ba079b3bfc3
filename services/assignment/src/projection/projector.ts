/**
 * @module Keeps the projection in step with the Ticket Service's events, and assigns new tickets.
 * Each handler runs in one project-locked transaction with its inbox record, so a redelivered
 * event changes nothing (a `ticket.created` never counts twice).
 */
import type { Envelope } from '@syncro/contracts';
import { recordOnce } from '@syncro/kit/inbox';
import { and, asc, eq, isNull, ne, sql } from 'drizzle-orm';
import { pickAssignee } from '../assigning/assigneePicker.ts';
import type { AssignDeps, Tx } from '../context.ts';
import { changeAssignments, type AssignmentChange } from './assignmentChange.ts';
import { members, parkedEvents, projects, tickets, type TicketRow } from './projection.model.ts';

/** The inbox name of this consumer; one per database, whatever the Kafka group is called. */
export const PROJECTOR = 'assignment.projector';

type Deps = Pick<AssignDeps, 'db' | 'wakeRelay' | 'now'>;

/** Runs `work` once per event id, in the project's unit of work. */
function once(deps: Deps, event: { eventId: string; projectId: string }, work: (change: AssignmentChange) => Promise<void>) {
  return changeAssignments(deps, event.projectId, async (change) => {
    if (await recordOnce(change.tx, PROJECTOR, event.eventId)) await work(change);
  });
}

/** The project row, from whichever of its events comes first (they travel on different topics). */
const ensureProject = (tx: AssignmentChange['tx'], e: { projectId: string; key: string }) =>
  tx.insert(projects).values({ id: e.projectId, key: e.key }).onConflictDoNothing();

/** Applies a membership event unless a newer one (by project version) was applied already. */
const membership = (tx: AssignmentChange['tx'], e: Envelope<'project.member.added'>, active: boolean) =>
  tx
    .insert(members)
    .values({ projectId: e.projectId, userId: e.userId, role: e.role, active, version: e.version })
    .onConflictDoUpdate({
      target: [members.projectId, members.userId],
      set: { role: e.role, active, version: e.version },
      setWhere: sql`${members.version} < ${e.version}`,
    });

export const projectCreated = (deps: Deps, e: Envelope<'project.created'>) =>
  once(deps, e, async (change) => {
    const { tx } = change;
    await ensureProject(tx, e);
    await membership(tx, e, true);
    // Tickets consumed before their project (another topic) were left unassigned: decide them now.
    const waiting = await tx
      .select()
      .from(tickets)
      .where(and(eq(tickets.projectId, e.projectId), isNull(tickets.assigneeId), ne(tickets.status, 'DONE')))
      .orderBy(tickets.createdAt, tickets.id);
    for (const ticket of waiting) await pickAssignee(deps, change, ticket, 'project.created');
  });

export const memberAdded = (deps: Deps, e: Envelope<'project.member.added'>) =>
  once(deps, e, async ({ tx }) => {
    await ensureProject(tx, e);
    await membership(tx, e, true);
  });

/** A removed member's settings go with them; their open tickets stay theirs until someone reassigns. */
export const memberRemoved = (deps: Deps, e: Envelope<'project.member.removed'>) =>
  once(deps, e, async ({ tx }) => {
    await ensureProject(tx, e);
    await membership(tx, e, false);
    await tx
      .update(members)
      .set({ skills: [], capacity: null, awayUntil: null })
      .where(and(eq(members.projectId, e.projectId), eq(members.userId, e.userId), eq(members.active, false)));
  });

export const ticketCreated = (deps: Deps, e: Envelope<'ticket.created'>) =>
  once(deps, e, async (change) => {
    const row: TicketRow = {
      id: e.ticketId,
      projectId: e.projectId,
      code: e.code,
      priority: e.priority,
      status: e.status,
      labels: e.labels,
      assigneeId: null,
      assignedAt: null,
      version: e.version,
      editVersion: e.version,
      deleted: false,
      createdAt: new Date(e.timestamp),
    };
    // Known already (a replayed history, or deleted before its creation arrived): never decided twice.
    const inserted = await change.tx.insert(tickets).values(row).onConflictDoNothing().returning({ id: tickets.id });
    if (inserted.length === 0) return;
    await pickAssignee(deps, change, row, 'ticket.created');
    await applyParked(change.tx, e.ticketId);
  });

/**
 * Its `ticket.created` travels on another topic and may come later: then the event is parked
 * (kept, applied when the creation arrives) at once. Out of order is normal, not a failure to retry.
 */
async function known(tx: Tx, ticketId: string) {
  const [row] = await tx.select({ editVersion: tickets.editVersion }).from(tickets).where(eq(tickets.id, ticketId));
  return row ?? null;
}

type Parkable = Envelope<'ticket.updated'> | Envelope<'ticket.status.updated'>;

const park = (tx: Tx, topic: 'ticket.updated' | 'ticket.status.updated', e: Parkable) =>
  tx.insert(parkedEvents).values({ eventId: e.eventId, ticketId: e.ticketId, topic, version: e.version, envelope: e }).onConflictDoNothing();

/** The events that came before the creation, in the order the Ticket Service made them. */
async function applyParked(tx: Tx, ticketId: string) {
  const parked = await tx.delete(parkedEvents).where(eq(parkedEvents.ticketId, ticketId)).returning();
  parked.sort((a, b) => a.version - b.version);
  for (const p of parked) {
    if (p.topic === 'ticket.status.updated') await applyStatus(tx, p.envelope as Envelope<'ticket.status.updated'>);
    else await applyEdit(tx, p.envelope as Envelope<'ticket.updated'>, (await known(tx, ticketId))!.editVersion);
  }
}

async function applyStatus(tx: Tx, e: Envelope<'ticket.status.updated'>) {
  await tx
    .update(tickets)
    .set({ status: e.newStatus, version: e.version })
    .where(and(eq(tickets.id, e.ticketId), eq(tickets.deleted, false), sql`${tickets.version} < ${e.version}`));
}

/** DONE takes the ticket out of its assignee's load; a reopen puts it back. */
export const statusUpdated = (deps: Deps, e: Envelope<'ticket.status.updated'>) =>
  once(deps, e, async ({ tx }) => {
    if (await known(tx, e.ticketId)) await applyStatus(tx, e);
    else await park(tx, 'ticket.status.updated', e);
  });

/**
 * A tombstone, DONE so it weighs nothing, whether or not its creation has been seen: the same row
 * either way (so the order of arrival leaves no trace), newer than any edit, its parked events gone.
 */
export const ticketDeleted = (deps: Deps, e: Envelope<'ticket.deleted'>) =>
  once(deps, e, async ({ tx }) => {
    const tombstone = { status: 'DONE', priority: 'LOW', labels: [], assigneeId: null, assignedAt: null, deleted: true, version: e.version, editVersion: e.version } as const;
    await tx
      .insert(tickets)
      .values({ id: e.ticketId, projectId: e.projectId, code: e.code, ...tombstone, labels: [] })
      .onConflictDoUpdate({ target: tickets.id, set: { ...tombstone, labels: [] }, setWhere: sql`${tickets.version} < ${e.version}` });
    await tx.delete(parkedEvents).where(eq(parkedEvents.ticketId, e.ticketId));
  });

/**
 * Edits that change load: priority and labels, and assignments made in the Ticket Service
 * (`PATCH /tickets/:id`). Our own assignments come back here too, applied: `assignedAt` orders
 * them, so an echo never undoes a newer decision.
 */
export const ticketUpdated = (deps: Deps, e: Envelope<'ticket.updated'>) =>
  once(deps, e, async ({ tx }) => {
    const row = await known(tx, e.ticketId);
    if (row) await applyEdit(tx, e, row.editVersion);
    else await park(tx, 'ticket.updated', e);
  });

async function applyEdit(tx: Tx, e: Envelope<'ticket.updated'>, editVersion: number) {
  const { priority, labels, assigneeId } = e.changes;
  if ((priority || labels) && editVersion < e.version) {
    await tx.execute(sql`
      update tickets set edit_version = ${e.version},
        priority = coalesce(${(priority?.to as string | undefined) ?? null}, priority),
        labels = case when ${labels ? 1 : 0} = 1
                      then array(select jsonb_array_elements_text(${JSON.stringify(labels?.to ?? [])}::jsonb)) else labels end
      where id = ${e.ticketId}`);
  }
  if (!assigneeId || !e.assignedAt) return;
  const to = (assigneeId.to as string | null) ?? null;
  const moved = await tx.execute(sql`
    update tickets set assignee_id = ${to}, assigned_at = ${e.assignedAt}::timestamptz
    where id = ${e.ticketId} and (assigned_at is null or assigned_at < ${e.assignedAt}::timestamptz)
    returning 1`);
  if (moved.length > 0 && to) {
    await tx.execute(sql`
      update members set last_assigned_at = greatest(last_assigned_at, ${e.assignedAt}::timestamptz)
      where project_id = ${e.projectId} and user_id = ${to}`);
  }
}
