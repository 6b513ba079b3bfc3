/**
 * @module What an accepted delivery does, through the Ticket Service's own commands (the same
 * create, edit, status and comment paths as the API: outbox, assignment, board, realtime), all inside
 * the delivery's transaction (botDeps.ts). Shared by the generic and the GitHub receivers.
 */
import type { TicketStatus } from '@syncro/contracts';
import type { AuthUser } from '@syncro/kit/auth';
import { Conflict } from '@syncro/kit/errors';
import { and, eq } from 'drizzle-orm';
import { addComment } from '../comments/commentAdder.ts';
import type { Tx } from '../context.ts';
import { changeStatus } from '../tickets/statusChanger.ts';
import { createTicket, type NewTicket } from '../tickets/ticketCreator.ts';
import { tickets } from '../tickets/tickets.model.ts';
import { updateTicket, type TicketEdits } from '../tickets/ticketUpdater.ts';
import { allowedTargets } from '../tickets/workflow.ts';
import type { CommandDeps } from './botDeps.ts';
import { integrationRefs, type IntegrationRow } from './integrations.model.ts';

export interface HookResult {
  status: 200 | 201 | 202;
  outcome: 'created' | 'updated' | 'status' | 'commented' | 'ignored' | 'ping' | 'unchanged';
  ticket?: { id: string; code: string };
  note?: string;
}

export interface Effect {
  deps: CommandDeps;
  tx: Tx;
  integration: IntegrationRow;
  bot: AuthUser;
}

export async function findByExternalId(tx: Tx, integrationId: string, externalId: string) {
  const [row] = await tx
    .select({ id: tickets.id, projectId: tickets.projectId, code: tickets.code, status: tickets.status })
    .from(integrationRefs)
    .innerJoin(tickets, eq(tickets.id, integrationRefs.ticketId))
    .where(and(eq(integrationRefs.integrationId, integrationId), eq(integrationRefs.externalId, externalId)));
  return row;
}

export async function createFromHook(e: Effect, input: NewTicket, externalId: string | null): Promise<HookResult> {
  const ticket = await createTicket(e.deps, e.integration.projectId, input, e.bot);
  if (externalId) await e.tx.insert(integrationRefs).values({ integrationId: e.integration.id, externalId, ticketId: ticket.id });
  return { status: 201, outcome: 'created', ticket: { id: ticket.id, code: ticket.code } };
}

export async function editFromHook(e: Effect, target: { id: string; projectId: string; code: string }, edits: TicketEdits): Promise<HookResult> {
  const before = await e.tx.select({ version: tickets.version }).from(tickets).where(eq(tickets.id, target.id));
  const after = await updateTicket(e.deps, target, edits, undefined, e.bot);
  return { status: 200, outcome: after.version === before[0]?.version ? 'unchanged' : 'updated', ticket: { id: target.id, code: target.code } };
}

/** The shortest walk along the workflow's allowed moves, e.g. OPEN → IN_PROGRESS → REVIEW → DONE. */
export function stepsTo(from: TicketStatus, to: TicketStatus): TicketStatus[] {
  const seen = new Map<TicketStatus, TicketStatus[]>([[from, []]]);
  const queue: TicketStatus[] = [from];
  while (queue.length) {
    const at = queue.shift()!;
    if (at === to) return seen.get(at)!;
    for (const next of allowedTargets(at)) {
      if (!seen.has(next)) {
        seen.set(next, [...seen.get(at)!, next]);
        queue.push(next);
      }
    }
  }
  return [];
}

/**
 * Moves the ticket one allowed step at a time (each its own `ticket.status.updated`, as a person
 * would). A step the workflow refuses (OPEN → IN_PROGRESS needs an assignee) ends the walk where it
 * is; the delivery still succeeds and its note says why the ticket stopped short.
 */
export async function walkStatus(
  e: Effect,
  target: { id: string; projectId: string; code: string; status: TicketStatus },
  to: TicketStatus,
): Promise<HookResult> {
  const ticket = { id: target.id, code: target.code };
  let at = target.status;
  for (const step of stepsTo(target.status, to)) {
    try {
      at = (await changeStatus(e.deps, target, step, undefined, e.bot)).status;
    } catch (err) {
      if (err instanceof Conflict) return { status: 200, outcome: 'status', ticket, note: `stopped at ${at}: ${err.message}` };
      throw err;
    }
  }
  return { status: 200, outcome: at === target.status ? 'unchanged' : 'status', ticket, ...(at === to ? {} : { note: `stayed ${at}` }) };
}

export async function commentFromHook(e: Effect, ticket: { id: string; code: string }, content: string): Promise<HookResult> {
  await addComment(e.deps, ticket.id, { content }, e.bot);
  return { status: 200, outcome: 'commented', ticket };
}

export const ignored = (note: string): HookResult => ({ status: 202, outcome: 'ignored', note });

/** Labels as the ticket schema takes them: trimmed, 1–40 characters, unique, at most 20. */
export const cleanLabels = (labels: string[]) =>
  [...new Set(labels.map((l) => l.trim().slice(0, 40)).filter((l) => l.length > 0))].slice(0, 20);
