/** @module Routes: a project's workload, strategy and members' settings. Validate → access → command → presenter. */
import { authGuard } from '@syncro/kit/auth';
import { Elysia } from 'elysia';
import type { AssignDeps } from '../context.ts';
import { ErrorBody, MemberBody, StrategyReplyBody, WorkloadBody, guardedErrors } from '../responses.schema.ts';
import { updateMemberSettings } from './memberSettingsUpdater.ts';
import { requireMember, requireOwner } from './projectAccess.ts';
import { MemberParams, MemberSettingsBody, ProjectParams, StrategyBody } from './projects.schema.ts';
import { setStrategy } from './strategySetter.ts';
import { presentStrategy } from './workloadPresenter.ts';
import { readWorkload } from './workloadReader.ts';

export const projectRoutes = (deps: AssignDeps) =>
  new Elysia({ name: 'assignment.projects', prefix: '/assignment/projects' })
    .use(authGuard(deps.verify, 'assignment'))
    .get(
      '/:id/workload',
      async ({ params, user }) => {
        const { project } = await requireMember(deps.db, params.id, user.id);
        return readWorkload(deps, project);
      },
      {
        params: ProjectParams,
        response: { 200: WorkloadBody, ...guardedErrors },
        detail: { summary: "Each member's weighted load, open tickets, availability and skills", tags: ['assignment'] },
      },
    )
    .put(
      '/:id/strategy',
      async ({ params, body, user }) => {
        const { project } = await requireOwner(deps.db, params.id, user.id);
        return presentStrategy(await setStrategy(deps, project, body.strategy));
      },
      {
        params: ProjectParams,
        body: StrategyBody,
        response: { 200: StrategyReplyBody, 403: ErrorBody, ...guardedErrors },
        detail: { summary: 'Set the automatic strategy (owners only)', tags: ['assignment'] },
      },
    )
    .put(
      '/:id/members/:userId',
      async ({ params, body, user }) => {
        const access = await requireMember(deps.db, params.id, user.id);
        return updateMemberSettings(deps, access, params.userId, body, user);
      },
      {
        params: MemberParams,
        body: MemberSettingsBody,
        response: { 200: MemberBody, 403: ErrorBody, ...guardedErrors },
        detail: { summary: "A member's skills, capacity and availability (the owner, or that member)", tags: ['assignment'] },
      },
    );
