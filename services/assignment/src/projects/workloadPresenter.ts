/** @module API shape of a project's workload, of one member's settings, and of its strategy. */
import type { Load } from '../assigning/candidates.ts';
import type { MemberRow, ProjectRow } from '../projection/projection.model.ts';

export const presentMember = (m: MemberRow, load: Load, now: Date) => ({
  userId: m.userId,
  role: m.role,
  weightedLoad: load.load,
  openTickets: load.openTickets,
  capacity: m.capacity,
  available: !m.awayUntil || m.awayUntil.getTime() <= now.getTime(),
  awayUntil: m.awayUntil?.toISOString() ?? null,
  skills: m.skills,
  lastAssignedAt: m.lastAssignedAt?.toISOString() ?? null,
});

export const presentWorkload = (project: ProjectRow, members: ReturnType<typeof presentMember>[], unassigned: number) => ({
  projectId: project.id,
  key: project.key,
  strategy: project.strategy,
  members,
  /** Open tickets nobody holds (nobody was eligible, or they were unassigned by hand). */
  unassignedOpenTickets: unassigned,
});

export const presentStrategy = (project: ProjectRow) => ({ projectId: project.id, key: project.key, strategy: project.strategy });
