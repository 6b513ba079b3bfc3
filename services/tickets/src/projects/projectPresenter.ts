/** @module API shapes of projects and members. */
import type { MemberRow, ProjectRow } from './projects.model.ts';

export const presentProject = (p: ProjectRow, role?: string) => ({
  id: p.id,
  key: p.key,
  name: p.name,
  description: p.description,
  version: p.version,
  ticketCount: p.ticketCounter,
  createdBy: p.createdBy,
  createdAt: p.createdAt.toISOString(),
  ...(role ? { role } : {}),
});

export const presentMember = (m: MemberRow) => ({
  userId: m.userId,
  role: m.role,
  addedAt: m.addedAt.toISOString(),
});
