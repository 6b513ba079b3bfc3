/** @module Routes: a project owner's outbound webhooks. Rate limit → owner → validate → command → presenter. */
import { authGuard } from '@syncro/kit/auth';
import { inProcessRateLimiter, takeOrThrow } from '@syncro/kit/ratelimit';
import { Elysia } from 'elysia';
import * as v from 'valibot';
import type { TicketDeps } from '../context.ts';
import { DEFAULT_GRACE_S } from '../integrations/secrets.ts';
import { requireOwner } from '../projects/projectAccess.ts';
import { ProjectParams } from '../projects/projects.schema.ts';
import { ErrorView, guardedErrors } from '../responses.schema.ts';
import { changeEndpoint, createEndpoint, deleteEndpoint, listEndpoints, readEndpointDeliveries, redeliver, requireEndpoint, rotateEndpointSecret } from './endpointManager.ts';
import { presentEndpoint, presentWebhookDelivery } from './webhookPresenter.ts';
import {
  CreateEndpointBody,
  DeliveryParams,
  EndpointListView,
  EndpointParams,
  EndpointView,
  EndpointWithSecretView,
  PatchEndpointBody,
  RotateEndpointBody,
  WebhookDeliveryListView,
  WebhookDeliveryView,
} from './webhooks.schema.ts';

const ownerErrors = { ...guardedErrors, 403: ErrorView, 429: ErrorView } as const;

export const webhookRoutes = (deps: TicketDeps) => {
  const writes = inProcessRateLimiter({ limit: 30, windowS: 60 });
  const allowPrivate = deps.config.WEBHOOKS_ALLOW_PRIVATE === '1';
  const owned = async (ref: string, wid: string, userId: string) => {
    const { project } = await requireOwner(deps.db, ref, userId);
    return requireEndpoint(deps.db, project.id, wid);
  };
  return new Elysia({ name: 'tickets.webhooks' })
    .use(authGuard(deps.verify, 'tickets'))
    .post(
      '/projects/:id/webhooks',
      async ({ params, body, user, set }) => {
        await takeOrThrow('webhook changes', [writes, user.id]);
        const { project } = await requireOwner(deps.db, params.id, user.id);
        const row = await createEndpoint(deps.db, project.id, body, user.id, allowPrivate);
        set.status = 201;
        return { ...presentEndpoint(row), secret: row.secret };
      },
      { params: ProjectParams, body: CreateEndpointBody, response: { 201: EndpointWithSecretView, ...ownerErrors }, detail: { summary: 'Subscribe a URL to event types; the secret is shown once', tags: ['webhooks'] } },
    )
    .get(
      '/projects/:id/webhooks',
      async ({ params, user }) => {
        const { project } = await requireOwner(deps.db, params.id, user.id);
        return { endpoints: (await listEndpoints(deps.db, project.id)).map(presentEndpoint) };
      },
      { params: ProjectParams, response: { 200: EndpointListView, ...ownerErrors }, detail: { summary: "A project's webhook endpoints (and why any is disabled)", tags: ['webhooks'] } },
    )
    .patch(
      '/projects/:id/webhooks/:wid',
      async ({ params, body, user }) => {
        await takeOrThrow('webhook changes', [writes, user.id]);
        const row = await changeEndpoint(deps.db, await owned(params.id, params.wid, user.id), body, allowPrivate);
        if (row.enabled) deps.wakeWebhooks();
        return presentEndpoint(row);
      },
      { params: EndpointParams, body: PatchEndpointBody, response: { 200: EndpointView, ...ownerErrors }, detail: { summary: 'Change the URL or events; enable again', tags: ['webhooks'] } },
    )
    .post(
      '/projects/:id/webhooks/:wid/rotate',
      async ({ params, body, user }) => {
        await takeOrThrow('webhook changes', [writes, user.id]);
        const row = await rotateEndpointSecret(deps.db, await owned(params.id, params.wid, user.id), body?.graceSeconds ?? DEFAULT_GRACE_S);
        return { ...presentEndpoint(row), secret: row.secret };
      },
      { params: EndpointParams, body: RotateEndpointBody, response: { 200: EndpointWithSecretView, ...ownerErrors }, detail: { summary: 'New secret; deliveries are signed with both during the grace period', tags: ['webhooks'] } },
    )
    .delete(
      '/projects/:id/webhooks/:wid',
      async ({ params, user, set }) => {
        await takeOrThrow('webhook changes', [writes, user.id]);
        await deleteEndpoint(deps.db, await owned(params.id, params.wid, user.id));
        set.status = 204;
      },
      { params: EndpointParams, response: { 204: v.undefined(), ...ownerErrors }, detail: { summary: 'Unsubscribe', tags: ['webhooks'] } },
    )
    .get(
      '/projects/:id/webhooks/:wid/deliveries',
      async ({ params, user }) => {
        const row = await owned(params.id, params.wid, user.id);
        return { deliveries: (await readEndpointDeliveries(deps.db, row.id)).map(presentWebhookDelivery) };
      },
      { params: EndpointParams, response: { 200: WebhookDeliveryListView, ...ownerErrors }, detail: { summary: 'Recent deliveries with every attempt (status, latency, response excerpt)', tags: ['webhooks'] } },
    )
    .post(
      '/projects/:id/webhooks/:wid/deliveries/:did/redeliver',
      async ({ params, user, set }) => {
        await takeOrThrow('webhook changes', [writes, user.id]);
        const row = await owned(params.id, params.wid, user.id);
        await redeliver(deps.db, row.id, params.did);
        deps.wakeWebhooks();
        const [d] = (await readEndpointDeliveries(deps.db, row.id, 500)).filter((x) => x.id === params.did);
        set.status = 202;
        return presentWebhookDelivery(d!);
      },
      { params: DeliveryParams, response: { 202: WebhookDeliveryView, ...ownerErrors }, detail: { summary: 'Send a delivery again (same webhook-id)', tags: ['webhooks'] } },
    );
};
