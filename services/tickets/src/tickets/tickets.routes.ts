/** @module Routes: tickets. Validate → access → command → presenter. */
import { authGuard } from '@syncro/kit/auth';
import * as v from 'valibot';
import { ErrorView, TicketView, guardedErrors } from '../responses.schema.ts';
import { Elysia } from 'elysia';
import type { TicketDeps } from '../context.ts';
import { changeStatus } from './statusChanger.ts';
import { createTicket } from './ticketCreator.ts';
import { deleteTicket } from './ticketDeleter.ts';
import { requireTicket, requireTicketAccess } from './ticketLookup.ts';
import { etagOf, presentTicket } from './ticketPresenter.ts';
import { updateTicket } from './ticketUpdater.ts';
import { CreateTicketBody, IfMatchHeaders, PatchTicketBody, ProjectTicketsParams, StatusBody, TicketParams } from './tickets.schema.ts';

export const ticketRoutes = (deps: TicketDeps) =>
  new Elysia({ name: 'tickets.tickets' })
    .use(authGuard(deps.verify, 'tickets'))
    .post(
      '/projects/:id/tickets',
      async ({ params, body, user, set }) => {
        // The membership check is part of the create's one statement.
        const ticket = await createTicket(deps, params.id, body, user);
        set.status = 201;
        set.headers.location = `/tickets/${ticket.code}`;
        set.headers.etag = etagOf(ticket);
        return presentTicket(ticket);
      },
      { params: ProjectTicketsParams, body: CreateTicketBody, response: { 201: TicketView, ...guardedErrors }, detail: { summary: 'Create a ticket (code KEY-n, status OPEN)', tags: ['tickets'] } },
    )
    .get(
      '/tickets/:id',
      async ({ params, user, set }) => {
        const { ticket } = await requireTicket(deps.db, params.id, user.id);
        set.headers.etag = etagOf(ticket);
        return presentTicket(ticket);
      },
      { params: TicketParams, response: { 200: TicketView, ...guardedErrors }, detail: { summary: 'A ticket by UUID or code', tags: ['tickets'] } },
    )
    .patch(
      '/tickets/:id',
      async ({ params, body, headers, user, set }) => {
        const { target } = await requireTicketAccess(deps.db, params.id, user.id);
        const updated = await updateTicket(deps, target, body, headers['if-match'], user);
        set.headers.etag = etagOf(updated);
        return presentTicket(updated);
      },
      { params: TicketParams, body: PatchTicketBody, headers: IfMatchHeaders, response: { 200: TicketView, 412: ErrorView, ...guardedErrors }, detail: { summary: 'Edit a ticket; honours If-Match (412)', tags: ['tickets'] } },
    )
    .patch(
      '/tickets/:id/status',
      async ({ params, body, headers, user, set }) => {
        const { target } = await requireTicketAccess(deps.db, params.id, user.id);
        const updated = await changeStatus(deps, target, body.status, headers['if-match'], user);
        set.headers.etag = etagOf(updated);
        return presentTicket(updated);
      },
      { params: TicketParams, body: StatusBody, headers: IfMatchHeaders, response: { 200: TicketView, 409: ErrorView, 412: ErrorView, ...guardedErrors }, detail: { summary: 'Move a ticket; 409 lists the allowed targets', tags: ['tickets'] } },
    )
    .delete(
      '/tickets/:id',
      async ({ params, headers, user, set }) => {
        const { target, role } = await requireTicketAccess(deps.db, params.id, user.id);
        await deleteTicket(deps, target, headers['if-match'], user, role);
        set.status = 204;
      },
      { params: TicketParams, headers: IfMatchHeaders, response: { 204: v.undefined(), 403: ErrorView, 412: ErrorView, ...guardedErrors }, detail: { summary: 'Delete a ticket (its reporter or a project owner)', tags: ['tickets'] } },
    );
