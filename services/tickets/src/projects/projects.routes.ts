/** @module Routes: projects and members. Validate → access → command → presenter. */
import { authGuard } from '@syncro/kit/auth';
import * as v from 'valibot';
import { Elysia } from 'elysia';
import type { TicketDeps } from '../context.ts';
import { addMember } from './memberAdder.ts';
import { listMembers, listProjectsOf } from './memberLister.ts';
import { removeMember } from './memberRemover.ts';
import { requireMember, requireOwner } from './projectAccess.ts';
import { createProject } from './projectCreator.ts';
import { presentMember, presentProject } from './projectPresenter.ts';
import { ErrorView, MemberListView, MemberView, ProjectListView, ProjectView, guardedErrors } from '../responses.schema.ts';
import { AddMemberBody, CreateProjectBody, MemberParams, ProjectParams } from './projects.schema.ts';

export const projectRoutes = (deps: TicketDeps) =>
  new Elysia({ name: 'tickets.projects' })
    .use(authGuard(deps.verify, 'tickets'))
    .post(
      '/projects',
      async ({ body, user, set }) => {
        const project = await createProject(deps, body, user);
        set.status = 201;
        set.headers.location = `/projects/${project.id}`;
        return presentProject(project, 'owner');
      },
      { body: CreateProjectBody, response: { 201: ProjectView, 409: ErrorView, ...guardedErrors }, detail: { summary: 'Create a project; the caller becomes its owner', tags: ['projects'] } },
    )
    .get(
      '/projects',
      async ({ user }) => {
        const rows = await listProjectsOf(deps.db, user.id);
        return { projects: rows.map((r) => presentProject(r.project, r.role)) };
      },
      { response: { 200: ProjectListView, ...guardedErrors }, detail: { summary: 'Projects the caller belongs to', tags: ['projects'] } },
    )
    .get(
      '/projects/:id',
      async ({ params, user }) => {
        const { project, role } = await requireMember(deps.db, params.id, user.id);
        return presentProject(project, role);
      },
      {
        params: ProjectParams,
        response: { 200: ProjectView, ...guardedErrors },
        detail: { summary: 'A project by UUID or key', tags: ['projects'] },
      },
    )
    .get(
      '/projects/:id/members',
      async ({ params, user }) => {
        const { project } = await requireMember(deps.db, params.id, user.id);
        return { projectId: project.id, members: (await listMembers(deps.db, project.id)).map(presentMember) };
      },
      { params: ProjectParams, response: { 200: MemberListView, ...guardedErrors }, detail: { summary: 'Members of a project', tags: ['projects'] } },
    )
    .post(
      '/projects/:id/members',
      async ({ params, body, user, set }) => {
        const { project } = await requireOwner(deps.db, params.id, user.id);
        const member = await addMember(deps, project, body, user);
        set.status = 201;
        return presentMember(member);
      },
      { params: ProjectParams, body: AddMemberBody, response: { 201: MemberView, 403: ErrorView, 409: ErrorView, ...guardedErrors }, detail: { summary: 'Add a member (owners only)', tags: ['projects'] } },
    )
    .delete(
      '/projects/:id/members/:userId',
      async ({ params, user, set }) => {
        const access = await requireMember(deps.db, params.id, user.id);
        await removeMember(deps, access, params.userId, user);
        set.status = 204;
      },
      { params: MemberParams, response: { 204: v.undefined(), 403: ErrorView, 409: ErrorView, ...guardedErrors }, detail: { summary: 'Remove a member (owners), or leave (any member; not the last owner)', tags: ['projects'] } },
    );
