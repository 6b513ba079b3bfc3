/** @module Request and response schemas of the outbound webhook routes. */
import * as v from 'valibot';
import { Id, ProjectRef } from '../projects/projects.schema.ts';
import { OUTBOUND_TOPICS } from './webhookQueue.ts';

const Url = v.pipe(v.string(), v.trim(), v.maxLength(2000), v.url('must be an http(s) URL'));
const Events = v.pipe(
  v.array(v.picklist(OUTBOUND_TOPICS, `must be among ${OUTBOUND_TOPICS.join(', ')}`)),
  v.minLength(1, 'name at least one event type'),
  v.transform((e) => [...new Set(e)]),
);

export const EndpointParams = v.object({ id: ProjectRef, wid: Id });
export const DeliveryParams = v.object({ id: ProjectRef, wid: Id, did: Id });

export const CreateEndpointBody = v.strictObject({ url: Url, events: Events });
export const PatchEndpointBody = v.pipe(
  v.strictObject({ url: v.optional(Url), events: v.optional(Events), enabled: v.optional(v.boolean()) }),
  v.check((b) => Object.keys(b).length > 0, 'name at least one field to change'),
);
export const RotateEndpointBody = v.optional(
  v.strictObject({ graceSeconds: v.optional(v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(7 * 86400))) }),
  {},
);

const Timestamp = v.pipe(v.string(), v.isoTimestamp());
const endpointFields = {
  id: v.string(),
  projectId: v.string(),
  url: v.string(),
  events: v.array(v.string()),
  enabled: v.boolean(),
  disabledReason: v.nullable(v.string()),
  previousSecretValidUntil: v.nullable(Timestamp),
  createdAt: Timestamp,
};
export const EndpointView = v.object(endpointFields);
export const EndpointWithSecretView = v.object({ ...endpointFields, secret: v.string() });
export const EndpointListView = v.object({ endpoints: v.array(EndpointView) });

const AttemptView = v.object({ at: Timestamp, statusCode: v.nullable(v.number()), latencyMs: v.number(), responseExcerpt: v.nullable(v.string()), error: v.nullable(v.string()) });
export const WebhookDeliveryView = v.object({
  id: v.string(),
  eventId: v.string(),
  topic: v.string(),
  status: v.picklist(['pending', 'delivered', 'failed']),
  attempts: v.number(),
  nextAttemptAt: v.nullable(Timestamp),
  lastError: v.nullable(v.string()),
  createdAt: Timestamp,
  deliveredAt: v.nullable(Timestamp),
  attemptLog: v.array(AttemptView),
});
export const WebhookDeliveryListView = v.object({ deliveries: v.array(WebhookDeliveryView) });
