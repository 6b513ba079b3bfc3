/** @module The Ticket Service's consumer of `ticket.assigned` (kit runner: contract check, retries, DLQ). */
import { startConsumerInBackground, type BackgroundConsumer, type EventBus } from '@syncro/kit/bus';
import type { TicketDeps } from '../context.ts';
import { applyAssignment } from './assignmentApplier.ts';

export interface AssignedConsumerOptions {
  groupId: string;
  /** Tests on a shared broker: start at the topic's end instead of its whole history. */
  fromNow?: boolean;
  maxAttempts?: number;
  maxBackoffMs?: number;
}

export function startAssignedConsumer(deps: TicketDeps, bus: EventBus, opts: AssignedConsumerOptions): BackgroundConsumer {
  return startConsumerInBackground({
    bus,
    groupId: opts.groupId,
    fromNow: opts.fromNow,
    maxAttempts: opts.maxAttempts,
    maxBackoffMs: opts.maxBackoffMs,
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
