/** @module The Ticket Service's consumer of `ticket.assigned` (the kit runner does contract checks, retries, the DLQ). */
import type { Handlers } from '@syncro/kit/bus';
import type { TicketDeps } from '../context.ts';
import { applyAssignment } from './assignmentApplier.ts';

export const assignedHandlers = (deps: TicketDeps): Handlers => ({
  'ticket.assigned': async (event) => {
    const outcome = await applyAssignment(deps, event);
    deps.logger.debug('ticket.assigned handled', { ticketId: event.ticketId, outcome });
  },
});
