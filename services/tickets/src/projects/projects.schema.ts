/** @module Request schemas of the project routes. */
import { ProjectKey, ProjectRole, Uuid } from '@syncro/contracts';
import * as v from 'valibot';

/**
 * A UUID in its canonical spelling. Postgres reads any case, but the board cache, in-memory maps
 * and published events use ids as text: every id a client sends is lower-cased here, at the edge,
 * before anything uses it as a key. Keys and codes are not folded: DESIGN defines them upper-case,
 * so a lower-case spelling fails validation (400) instead of naming the same project twice.
 */
export const Id = v.pipe(Uuid, v.toLowerCase());

/** A project is addressed by its UUID or its key (`SYNC`). */
export const ProjectRef = v.union([Id, ProjectKey], 'must be a project UUID or key like SYNC');
export const ProjectParams = v.object({ id: ProjectRef });
export const MemberParams = v.object({ id: ProjectRef, userId: Id });

export const CreateProjectBody = v.strictObject({
  name: v.pipe(v.string(), v.trim(), v.minLength(1, 'must not be empty'), v.maxLength(100)),
  key: ProjectKey,
  description: v.optional(v.nullable(v.pipe(v.string(), v.maxLength(5000)))),
});

export const AddMemberBody = v.strictObject({
  userId: Id,
  role: v.optional(ProjectRole, 'member'),
});
