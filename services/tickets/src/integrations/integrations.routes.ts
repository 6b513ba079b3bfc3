/** @module Routes: a project owner's integrations. Rate limit → owner → validate → command → presenter. */
import { authGuard } from '@syncro/kit/auth';
import { inProcessRateLimiter, takeOrThrow } from '@syncro/kit/ratelimit';
import { Elysia } from 'elysia';
import * as v from 'valibot';
import type { TicketDeps } from '../context.ts';
import { requireMember, requireOwner } from '../projects/projectAccess.ts';
import { ProjectParams } from '../projects/projects.schema.ts';
import { ErrorView, guardedErrors } from '../responses.schema.ts';
import { integrationCache } from './integrationCache.ts';
import { presentDelivery, presentIntegration } from './integrationPresenter.ts';
import {
  changeIntegration,
  createIntegration,
  deleteIntegration,
  listIntegrations,
  readDeliveryLog,
  requireIntegration,
  rotateIntegrationSecret,
} from './integrationManager.ts';
import {
  CreateIntegrationBody,
  DeliveriesQuery,
  BotListView,
  DeliveryLogView,
  IntegrationListView,
  IntegrationParams,
  IntegrationView,
  IntegrationWithSecretView,
  PatchIntegrationBody,
  RotateBody,
} from './integrations.schema.ts';
import { DEFAULT_GRACE_S } from './secrets.ts';

const ownerErrors = { ...guardedErrors, 403: ErrorView, 429: ErrorView } as const;

export const integrationRoutes = (deps: TicketDeps) => {
  const writes = inProcessRateLimiter({ limit: 30, windowS: 60 });
  const cache = integrationCache(deps.db);
  const base = (request: Request) => deps.config.PUBLIC_URL ?? new URL(request.url).origin;
  return new Elysia({ name: 'tickets.integrations' })
    .use(authGuard(deps.verify, 'tickets'))
    .post(
      '/projects/:id/integrations',
      async ({ params, body, user, request, set }) => {
        await takeOrThrow('integration changes', [writes, user.id]);
        const { project } = await requireOwner(deps.db, params.id, user.id);
        const row = await createIntegration(deps.db, project.id, body, user.id);
        set.status = 201;
        return { ...presentIntegration(row, base(request)), secret: row.secret };
      },
      { params: ProjectParams, body: CreateIntegrationBody, response: { 201: IntegrationWithSecretView, ...ownerErrors }, detail: { summary: 'Connect an inbound integration; the secret is shown once', tags: ['integrations'] } },
    )
    .get(
      '/projects/:id/integrations',
      async ({ params, user, request }) => {
        const { project } = await requireOwner(deps.db, params.id, user.id);
        return { integrations: (await listIntegrations(deps.db, project.id)).map((r) => presentIntegration(r, base(request))) };
      },
      { params: ProjectParams, response: { 200: IntegrationListView, ...ownerErrors }, detail: { summary: "A project's integrations (no secrets)", tags: ['integrations'] } },
    )
    .patch(
      '/projects/:id/integrations/:iid',
      async ({ params, body, user, request }) => {
        await takeOrThrow('integration changes', [writes, user.id]);
        const { project } = await requireOwner(deps.db, params.id, user.id);
        const row = await changeIntegration(deps.db, await requireIntegration(deps.db, project.id, params.iid), body);
        cache.forget(row.id);
        return presentIntegration(row, base(request));
      },
      { params: IntegrationParams, body: PatchIntegrationBody, response: { 200: IntegrationView, ...ownerErrors }, detail: { summary: 'Rename, enable/disable, or change the defaults', tags: ['integrations'] } },
    )
    .post(
      '/projects/:id/integrations/:iid/rotate',
      async ({ params, body, user, request }) => {
        await takeOrThrow('integration changes', [writes, user.id]);
        const { project } = await requireOwner(deps.db, params.id, user.id);
        const row = await rotateIntegrationSecret(deps.db, await requireIntegration(deps.db, project.id, params.iid), body?.graceSeconds ?? DEFAULT_GRACE_S);
        cache.forget(row.id);
        return { ...presentIntegration(row, base(request)), secret: row.secret };
      },
      { params: IntegrationParams, body: RotateBody, response: { 200: IntegrationWithSecretView, ...ownerErrors }, detail: { summary: 'New secret; the old one works for graceSeconds more (default 24 h)', tags: ['integrations'] } },
    )
    .delete(
      '/projects/:id/integrations/:iid',
      async ({ params, user, set }) => {
        await takeOrThrow('integration changes', [writes, user.id]);
        const { project } = await requireOwner(deps.db, params.id, user.id);
        await deleteIntegration(deps.db, await requireIntegration(deps.db, project.id, params.iid));
        cache.forget(params.iid);
        set.status = 204;
      },
      { params: IntegrationParams, response: { 204: v.undefined(), ...ownerErrors }, detail: { summary: 'Delete an integration (its bot leaves the project)', tags: ['integrations'] } },
    )
    .get(
      '/projects/:id/bots',
      async ({ params, user }) => {
        // Bots have no users row at auth: members read their names here to label what they reported.
        const { project } = await requireMember(deps.db, params.id, user.id);
        const rows = await listIntegrations(deps.db, project.id);
        return { bots: rows.map((r) => ({ userId: r.botUserId, name: r.botName, kind: r.kind, integrationId: r.id })) };
      },
      { params: ProjectParams, response: { 200: BotListView, ...guardedErrors }, detail: { summary: "The project's integration identities (user id → display name), for members", tags: ['integrations'] } },
    )
    .get(
      '/projects/:id/integrations/:iid/deliveries',
      async ({ params, query, user }) => {
        const { project } = await requireOwner(deps.db, params.id, user.id);
        const row = await requireIntegration(deps.db, project.id, params.iid);
        return { deliveries: (await readDeliveryLog(deps.db, row.id, query.limit)).map(presentDelivery) };
      },
      { params: IntegrationParams, query: DeliveriesQuery, response: { 200: DeliveryLogView, ...ownerErrors }, detail: { summary: 'The delivery log, newest first', tags: ['integrations'] } },
    );
};
