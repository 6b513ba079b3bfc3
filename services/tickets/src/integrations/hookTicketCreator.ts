/**
 * @module A ticket from a delivery in ONE statement: tickets/ticketCreator.ts's create (membership,
 * project UPDATE, ticket INSERT, `ticket.created` outbox INSERT, the same rows to the byte) with
 * two more arms, the external id's mapping and the accepted delivery record. So the delivery id is
 * committed with the ticket, and the project row is locked for one statement, as for any create
 * (a transaction around the plain create held it across two more round trips: bench/webhooks.ts
 * measured that at under a third of the plain rate).
 *
 * No row back: the bot is no longer a member (integration deleted meanwhile), or the external id
 * already has a ticket (the caller then takes the update path). A twin delivery (same id, at the
 * same time) fails the delivery's unique index, and the whole statement with it.
 */
import type { AuthUser } from '@syncro/kit/auth';
import { sql } from 'drizzle-orm';
import type { TicketDeps } from '../context.ts';
import { executePrepared } from '../db/prepared.ts';
import { ticketCreateStatement, type NewTicket } from '../tickets/ticketCreator.ts';

export interface HookDelivery {
  integrationId: string;
  deliveryId: string;
  event: string | null;
  externalId: string | null;
}

export async function createTicketFromDelivery(
  deps: Pick<TicketDeps, 'db' | 'boardCache' | 'wakeRelay'>,
  projectId: string,
  input: NewTicket,
  bot: AuthUser,
  delivery: HookDelivery,
): Promise<{ id: string; code: string } | null> {
  const id = Bun.randomUUIDv7();
  const answer = JSON.stringify({ deliveryId: delivery.deliveryId, outcome: 'created' });
  const [row] = await executePrepared<{ project_id: string; version: string; code: string }>(
    deps.db,
    ticketCreateStatement({
      id,
      at: new Date().toISOString(),
      input,
      reporterId: bot.id,
      project: sql`p.id = ${projectId}::uuid`,
      guard: sql`not exists (select 1 from integration_refs r where r.integration_id = ${delivery.integrationId}::uuid and r.external_id = ${delivery.externalId})`,
      arms: sql`ref as (
      insert into integration_refs (integration_id, external_id, ticket_id)
      select ${delivery.integrationId}::uuid, ${delivery.externalId}, t.id from ticket t where ${delivery.externalId}::text is not null
    ), delivery as (
      insert into integration_deliveries (id, integration_id, delivery_id, event, signature_ok, accepted, status, ticket_code, response)
      select ${Bun.randomUUIDv7()}::uuid, ${delivery.integrationId}::uuid, ${delivery.deliveryId}, ${delivery.event}, true, true, 201, c.code,
             ${answer}::jsonb || jsonb_build_object('ticket', jsonb_build_object('id', ${id}::text, 'code', c.code))
      from counted c
    )`,
    }),
  );
  if (!row) return null;
  deps.wakeRelay();
  await deps.boardCache.invalidate(row.project_id, Number(row.version));
  return { id, code: row.code };
}
