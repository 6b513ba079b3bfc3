/** @module Request schemas of the project routes. */
import { Label, ProjectKey, StrictIsoTimestamp, Uuid } from '@syncro/contracts';
import * as v from 'valibot';
import { AUTO_STRATEGIES } from '../projection/projection.model.ts';

/** A project is addressed by its UUID or its key (`SYNC`), as in the Ticket Service. */
export const ProjectRef = v.union([Uuid, ProjectKey], 'must be a project UUID or key like SYNC');
export const ProjectParams = v.object({ id: ProjectRef });
export const MemberParams = v.object({ id: ProjectRef, userId: v.pipe(v.string(), v.uuid('must be a user UUID')) });

export const StrategyBody = v.strictObject({
  strategy: v.picklist(AUTO_STRATEGIES, `must be one of ${AUTO_STRATEGIES.join(', ')}`),
});

export const MemberSettingsBody = v.pipe(
  v.strictObject({
    skills: v.optional(v.pipe(v.array(Label), v.maxLength(50, 'at most 50 skills'))),
    /** Weighted load limit for automatic assignment; null removes the limit. */
    capacity: v.optional(
      v.nullable(v.pipe(v.number('must be a number'), v.integer('must be a whole number'), v.minValue(1), v.maxValue(1000))),
    ),
    /** Away (no automatic assignment) until this time; null: available. */
    awayUntil: v.optional(v.nullable(StrictIsoTimestamp)),
  }),
  v.check((b) => Object.keys(b).length > 0, 'name at least one of skills, capacity, awayUntil'),
);

export type MemberSettings = v.InferOutput<typeof MemberSettingsBody>;
