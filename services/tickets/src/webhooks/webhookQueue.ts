/**
 * @module The Ticket Service's consumer of its own ticket events, for outbound webhooks: each event
 * becomes one pending delivery per enabled endpoint of its project subscribed to its type, in one
 * statement (a redelivered message finds its rows: unique per endpoint and event). The sender sends.
 */
import type { Topic } from '@syncro/contracts';
import type { Handlers } from '@syncro/kit/bus';
import { sql } from 'drizzle-orm';
import type { TicketDeps } from '../context.ts';
import { executePrepared } from '../db/prepared.ts';

export const OUTBOUND_TOPICS = ['ticket.created', 'ticket.updated', 'ticket.status.updated', 'ticket.assigned', 'ticket.commented', 'ticket.deleted'] as const satisfies readonly Topic[];
export type OutboundTopic = (typeof OUTBOUND_TOPICS)[number];

export async function enqueueDeliveries(deps: Pick<TicketDeps, 'db'>, topic: OutboundTopic, event: { eventId: string; timestamp: string; projectId: string } & Record<string, unknown>) {
  const { eventId, timestamp, ...data } = event;
  const body = JSON.stringify({ type: topic, timestamp, data });
  const rows = await executePrepared<{ id: string }>(deps.db, sql`
    insert into webhook_deliveries (id, endpoint_id, event_id, topic, payload)
    select gen_random_uuid(), e.id, ${eventId}::uuid, ${topic}, ${body}::jsonb
    from webhook_endpoints e
    where e.project_id = ${event.projectId}::uuid and e.enabled and ${topic} = any(e.events)
    on conflict (endpoint_id, event_id) do nothing
    returning id`);
  return rows.length;
}

export const webhookHandlers = (deps: Pick<TicketDeps, 'db' | 'wakeWebhooks'>): Handlers =>
  Object.fromEntries(
    OUTBOUND_TOPICS.map((topic) => [
      topic,
      async (event: { eventId: string; timestamp: string; projectId: string }) => {
        if ((await enqueueDeliveries(deps, topic, event)) > 0) deps.wakeWebhooks();
      },
    ]),
  ) as Handlers;

/** Both handlers of a topic two consumers share (ticket.assigned), in order; a failure retries both (each is idempotent). */
export function mergeHandlers(...all: Handlers[]): Handlers {
  const merged: Record<string, (e: never, m: never) => Promise<void>> = {};
  for (const handlers of all) {
    for (const [topic, handle] of Object.entries(handlers) as [string, (e: never, m: never) => Promise<void>][]) {
      const before = merged[topic];
      merged[topic] = before ? async (e, m) => { await before(e, m); await handle(e, m); } : handle;
    }
  }
  return merged as Handlers;
}
