/** @module Request schemas of the ticket routes. */
import { TicketCode, Uuid } from '@syncro/contracts';
import * as v from 'valibot';

/** A ticket is addressed by its UUID or its code (`SYNC-12`), as in the Ticket Service. */
export const TicketRef = v.union([Uuid, TicketCode], 'must be a ticket UUID or a code like SYNC-12');
export const TicketParams = v.object({ ticketId: TicketRef });

export const ManualAssignmentBody = v.strictObject({
  assigneeId: v.pipe(v.string('must be a user UUID'), v.uuid('must be a user UUID')),
});
