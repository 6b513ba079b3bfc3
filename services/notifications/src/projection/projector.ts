/**
 * @module Keeps this service's copy of users, projects, members, tickets and comments current from
 * events that may arrive in any order across topics: the newest version (or assignment time) wins.
 * Creations return the ids they made complete, so events waiting on them run; changes to a ticket
 * not yet known return its id as what they need, and wait (re-running them is harmless).
 */
import type { Envelope } from '@syncro/contracts';
import { and, eq, isNull, lt, or, sql } from 'drizzle-orm';
import type { Tx } from '../context.ts';
import { comments, members, projects, tickets, users } from './projection.model.ts';

export async function userCreated(tx: Tx, e: Envelope<'user.created'>): Promise<string[]> {
  await tx
    .insert(users)
    .values({ id: e.userId, email: e.email, name: e.name, locale: e.locale })
    .onConflictDoNothing();
  return [e.userId];
}

/** Only the fields this service keeps. Before its `user.created`, it waits for it (returns the user id as needed). */
export async function userUpdated(tx: Tx, e: Envelope<'user.updated'>): Promise<string[]> {
  if ((await tx.select({ id: users.id }).from(users).where(eq(users.id, e.userId))).length === 0) return [e.userId];
  const set: Partial<typeof users.$inferInsert> = {};
  for (const field of ['name', 'email', 'locale'] as const) {
    const to = e.changes[field]?.to;
    if (typeof to === 'string' && to.length > 0) set[field] = to;
  }
  // Two updates of one user arrive in order (keyed by user), so the later one wins.
  if (Object.keys(set).length > 0) await tx.update(users).set({ ...set, updatedAt: sql`now()` }).where(eq(users.id, e.userId));
  return [];
}

async function memberChange(tx: Tx, e: { projectId: string; key: string; userId: string; version: number }, active: boolean) {
  await tx.insert(projects).values({ id: e.projectId, key: e.key }).onConflictDoNothing();
  await tx
    .insert(members)
    .values({ projectId: e.projectId, userId: e.userId, active, version: e.version })
    .onConflictDoUpdate({
      target: [members.projectId, members.userId],
      set: { active, version: e.version },
      setWhere: lt(members.version, e.version),
    });
}

export async function projectCreated(tx: Tx, e: Envelope<'project.created'>): Promise<string[]> {
  await tx
    .insert(projects)
    .values({ id: e.projectId, key: e.key, name: e.name })
    .onConflictDoUpdate({ target: projects.id, set: { key: e.key, name: e.name } });
  await memberChange(tx, e, true);
  return [e.projectId];
}

export const memberAdded = (tx: Tx, e: Envelope<'project.member.added'>) => memberChange(tx, e, true);
export const memberRemoved = (tx: Tx, e: Envelope<'project.member.removed'>) => memberChange(tx, e, false);

export async function ticketCreated(tx: Tx, e: Envelope<'ticket.created'>): Promise<string[]> {
  await tx
    .insert(tickets)
    .values({ id: e.ticketId, projectId: e.projectId, code: e.code, title: e.title, reporterId: e.reporterId, version: e.version })
    .onConflictDoNothing();
  return [e.ticketId];
}

const newerAssignment = (at: string) => or(isNull(tickets.assignedAt), lt(tickets.assignedAt, at));

/** [] when the ticket is known; else its id, so the change waits for `ticket.created` and is applied then. */
const unknownTicket = async (tx: Tx, id: string) => ((await tx.select({ id: tickets.id }).from(tickets).where(eq(tickets.id, id))).length ? [] : [id]);

export async function ticketUpdated(tx: Tx, e: Envelope<'ticket.updated'>): Promise<string[]> {
  const missing = await unknownTicket(tx, e.ticketId);
  if (missing.length > 0) return missing;
  const title = e.changes.title?.to;
  if (typeof title === 'string') {
    await tx.update(tickets).set({ title, version: e.version }).where(and(eq(tickets.id, e.ticketId), lt(tickets.version, e.version)));
  }
  if ('assigneeId' in e.changes) {
    const to = e.changes.assigneeId!.to;
    const assigneeId = typeof to === 'string' ? to : null;
    const at = e.assignedAt ?? e.timestamp;
    await tx.update(tickets).set({ assigneeId, assignedAt: at }).where(and(eq(tickets.id, e.ticketId), newerAssignment(at)));
  }
  return [];
}

export async function ticketAssigned(tx: Tx, e: Envelope<'ticket.assigned'>): Promise<string[]> {
  const changed = await tx
    .update(tickets)
    .set({ assigneeId: e.assigneeId, assignedAt: e.assignedAt })
    .where(and(eq(tickets.id, e.ticketId), newerAssignment(e.assignedAt)))
    .returning({ id: tickets.id });
  // Nothing changed: a newer assignment won, or the ticket is not known yet (then wait for it).
  return changed.length > 0 ? [] : unknownTicket(tx, e.ticketId);
}

export async function ticketCommented(tx: Tx, e: Envelope<'ticket.commented'>): Promise<void> {
  await tx.insert(comments).values({ id: e.commentId, ticketId: e.ticketId, authorId: e.authorId, version: e.version }).onConflictDoNothing();
}
