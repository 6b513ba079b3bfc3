/** @module Request and response schemas of the integration routes (owners) and of generic deliveries. */
import { Label, Priority } from '@syncro/contracts';
import * as v from 'valibot';
import { Id, ProjectRef } from '../projects/projects.schema.ts';
import { INTEGRATION_KINDS } from './integrations.model.ts';

const Name = v.pipe(v.string(), v.trim(), v.minLength(1, 'must not be empty'), v.maxLength(80));
const Labels = v.pipe(v.array(Label), v.maxLength(20, 'at most 20 labels'), v.transform((l) => [...new Set(l)]));
const Defaults = v.strictObject({ priority: v.optional(Priority, 'MEDIUM'), labels: v.optional(Labels, []) });

export const IntegrationParams = v.object({ id: ProjectRef, iid: Id });
export const HookParams = v.object({ integrationId: Id });

export const CreateIntegrationBody = v.strictObject({
  kind: v.picklist(INTEGRATION_KINDS, `must be one of ${INTEGRATION_KINDS.join(', ')}`),
  name: Name,
  defaults: v.optional(Defaults, { priority: 'MEDIUM', labels: [] }),
});

export const PatchIntegrationBody = v.pipe(
  v.strictObject({ name: v.optional(Name), enabled: v.optional(v.boolean()), defaults: v.optional(Defaults) }),
  v.check((b) => Object.keys(b).length > 0, 'name at least one field to change'),
);

/** 0 drops the old secret at once (it leaked); at most a week. */
export const RotateBody = v.optional(
  v.strictObject({ graceSeconds: v.optional(v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(7 * 86400))) }),
  {},
);

export const DeliveriesQuery = v.object({
  limit: v.optional(v.pipe(v.string(), v.regex(/^\d{1,3}$/, 'must be 1-500'), v.transform(Number), v.minValue(1), v.maxValue(500)), '50'),
});

/** What a `generic` delivery posts. */
export const GenericDelivery = v.strictObject({
  title: v.pipe(v.string(), v.trim(), v.minLength(1, 'must not be empty'), v.maxLength(200)),
  description: v.optional(v.nullable(v.pipe(v.string(), v.maxLength(20_000)))),
  priority: v.optional(Priority),
  labels: v.optional(Labels),
  externalId: v.optional(v.pipe(v.string(), v.minLength(1), v.maxLength(200))),
});
export type GenericDelivery = v.InferOutput<typeof GenericDelivery>;

const Timestamp = v.pipe(v.string(), v.isoTimestamp());
const integrationFields = {
  id: v.string(),
  projectId: v.string(),
  kind: v.picklist(INTEGRATION_KINDS),
  name: v.string(),
  url: v.string(),
  botUserId: v.string(),
  botName: v.string(),
  defaults: v.object({ priority: Priority, labels: v.array(v.string()) }),
  enabled: v.boolean(),
  previousSecretValidUntil: v.nullable(Timestamp),
  createdAt: Timestamp,
};
export const IntegrationView = v.object(integrationFields);
/** Only the create and the rotation show the secret, once. */
export const IntegrationWithSecretView = v.object({ ...integrationFields, secret: v.string() });
export const IntegrationListView = v.object({ integrations: v.array(IntegrationView) });
export const DeliveryLogView = v.object({
  deliveries: v.array(
    v.object({
      id: v.string(),
      receivedAt: Timestamp,
      event: v.nullable(v.string()),
      deliveryId: v.nullable(v.string()),
      signatureOk: v.boolean(),
      status: v.number(),
      ticketCode: v.nullable(v.string()),
      error: v.nullable(v.string()),
    }),
  ),
});
export const HookAnswerView = v.object({
  deliveryId: v.nullable(v.string()),
  outcome: v.string(),
  ticket: v.optional(v.object({ id: v.string(), code: v.string() })),
  note: v.optional(v.string()),
});
export const BotListView = v.object({
  bots: v.array(v.object({ userId: v.string(), name: v.string(), kind: v.picklist(INTEGRATION_KINDS), integrationId: v.string() })),
});
