/** @module Reads the facts the ranking needs: a project's members and their weighted open load. */
import type { Priority } from '@syncro/contracts';
import { and, asc, eq, sql } from 'drizzle-orm';
import type { Tx } from '../context.ts';
import { members } from '../projection/projection.model.ts';
import { PRIORITY_WEIGHTS, type Candidate } from './ranking.ts';

export interface Load {
  load: number;
  openTickets: number;
}

/** Weighted open (not DONE) tickets per assignee; `except` leaves one ticket out (the one being re-decided). */
export async function loadsOf(tx: Tx, projectId: string, except?: string): Promise<Map<string, Load>> {
  const rows = await tx.execute<{ assignee_id: string; priority: Priority; n: number }>(sql`
    select assignee_id, priority, count(*)::int as n from tickets
    where project_id = ${projectId} and status <> 'DONE' and assignee_id is not null
      and id is distinct from ${except ?? null}::uuid
    group by assignee_id, priority`);
  const loads = new Map<string, Load>();
  for (const r of rows) {
    const l = loads.get(r.assignee_id) ?? { load: 0, openTickets: 0 };
    l.load += PRIORITY_WEIGHTS[r.priority] * r.n;
    l.openTickets += r.n;
    loads.set(r.assignee_id, l);
  }
  return loads;
}

export async function candidatesOf(tx: Tx, projectId: string, except?: string): Promise<Candidate[]> {
  const [rows, loads] = await Promise.all([
    tx.select().from(members).where(and(eq(members.projectId, projectId), eq(members.active, true))).orderBy(asc(members.userId)),
    loadsOf(tx, projectId, except),
  ]);
  return rows.map((m) => ({
    userId: m.userId,
    skills: m.skills,
    capacity: m.capacity,
    awayUntil: m.awayUntil,
    lastAssignedAt: m.lastAssignedAt,
    ...(loads.get(m.userId) ?? { load: 0, openTickets: 0 }),
  }));
}
