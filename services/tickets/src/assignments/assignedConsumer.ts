/** @module The Ticket Service's consumer of `ticket.assigned` (kit runner: contract check, retries, DLQ). */
import { startConsumerInBackground, type BackgroundConsumer, type ConsumerSettings, type EventBus } from '@syncro/kit/bus';
import type { TicketDeps } from '../context.ts';
import { applyAssignment } from './assignmentApplier.ts';

export function startAssignedConsumer(deps: TicketDeps, bus: EventBus, settings: ConsumerSettings): BackgroundConsumer {
  return startConsumerInBackground({
    bus,
    ...settings,
    logger: deps.logger,
    metrics: deps.metrics,
    handlers: {
      'ticket.assigned': async (event) => {
        const outcome = await applyAssignment(deps, event);
        deps.logger.debug('ticket.assigned handled', { ticketId: event.ticketId, outcome });
      },
    },
  });
}
