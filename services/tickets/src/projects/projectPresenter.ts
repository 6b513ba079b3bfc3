/** @module API shapes of projects and members. */
import type { ProjectRole } from '@syncro/contracts';
import type { MemberRow, ProjectRow } from './projects.model.ts';

export const presentProject = (p: ProjectRow, role?: ProjectRole) => ({
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
