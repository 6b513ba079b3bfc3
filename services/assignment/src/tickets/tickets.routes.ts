/** @module Routes: manual and automatic assignment of a ticket, and its decision log. Validate → access → command → presenter. */
import { authGuard } from '@syncro/kit/auth';
import { Elysia } from 'elysia';
import type { AssignDeps } from '../context.ts';
import { DecisionBody, DecisionLogBody, ErrorBody, guardedErrors } from '../responses.schema.ts';
import { reassignAutomatically } from './autoReassigner.ts';
import { readDecisionLog } from './decisionLogReader.ts';
import { presentDecision } from './decisionPresenter.ts';
import { assignManually } from './manualAssigner.ts';
import { requireTicket } from './ticketAccess.ts';
import { ManualAssignmentBody, TicketParams } from './tickets.schema.ts';

export const ticketRoutes = (deps: AssignDeps) =>
  new Elysia({ name: 'assignment.tickets', prefix: '/assignment/tickets' })
    .use(authGuard(deps.verify, 'assignment'))
    .post(
      '/:ticketId',
      async ({ params, body, user, set }) => {
        const { ticket } = await requireTicket(deps.db, params.ticketId, user.id);
        const decision = await assignManually(deps, ticket, body.assigneeId, user);
        // Decided and durable here; the ticket shows it once the Ticket Service applies the event.
        set.status = 202;
        return presentDecision(decision);
      },
      {
        params: TicketParams,
        body: ManualAssignmentBody,
        response: { 202: DecisionBody, ...guardedErrors },
        detail: { summary: 'Assign by hand (publishes ticket.assigned)', tags: ['assignment'] },
      },
    )
    .post(
      '/:ticketId/auto',
      async ({ params, user, set }) => {
        const { ticket } = await requireTicket(deps.db, params.ticketId, user.id);
        const decision = await reassignAutomatically(deps, ticket, user);
        set.status = decision.outcome === 'assigned' ? 202 : 200;
        return presentDecision(decision);
      },
      {
        params: TicketParams,
        // 202: someone was chosen; 200: nobody eligible, the assignee stays; 409: the ticket is DONE.
        response: { 200: DecisionBody, 202: DecisionBody, 409: ErrorBody, ...guardedErrors },
        detail: { summary: 'Re-run the automatic choice (publishes ticket.assigned)', tags: ['assignment'] },
      },
    )
    .get(
      '/:ticketId/decisions',
      async ({ params, user }) => {
        const { ticket } = await requireTicket(deps.db, params.ticketId, user.id);
        return readDecisionLog(deps, ticket);
      },
      { params: TicketParams, response: { 200: DecisionLogBody, ...guardedErrors }, detail: { summary: 'Who was considered and why the winner won', tags: ['assignment'] } },
    );
