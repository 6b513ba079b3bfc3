/** @module Request schemas of the project routes. */
import { ProjectKey, ProjectRole, Uuid } from '@syncro/contracts';
import * as v from 'valibot';

/** A project is addressed by its UUID or its key (`SYNC`). */
export const ProjectRef = v.union([Uuid, ProjectKey], 'must be a project UUID or key like SYNC');
export const ProjectParams = v.object({ id: ProjectRef });
export const MemberParams = v.object({ id: ProjectRef, userId: Uuid });

export const CreateProjectBody = v.strictObject({
  name: v.pipe(v.string(), v.trim(), v.minLength(1, 'must not be empty'), v.maxLength(100)),
  key: ProjectKey,
  description: v.optional(v.nullable(v.pipe(v.string(), v.maxLength(5000)))),
});

export const AddMemberBody = v.strictObject({
  userId: Uuid,
  role: v.optional(ProjectRole, 'member'),
});
