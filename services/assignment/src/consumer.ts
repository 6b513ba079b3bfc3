/** @module The Assignment Service's consumer: the projection's topics to their handlers (the kit runner does contract checks, retries, the DLQ). */
import type { Handlers } from '@syncro/kit/bus';
import type { AssignDeps } from './context.ts';
import * as projector from './projection/projector.ts';

export const projectionHandlers = (deps: AssignDeps): Handlers => ({
  'project.created': (e) => projector.projectCreated(deps, e),
  'project.member.added': (e) => projector.memberAdded(deps, e),
  'project.member.removed': (e) => projector.memberRemoved(deps, e),
  'ticket.created': (e) => projector.ticketCreated(deps, e),
  'ticket.status.updated': (e) => projector.statusUpdated(deps, e),
  'ticket.updated': (e) => projector.ticketUpdated(deps, e),
  'ticket.deleted': (e) => projector.ticketDeleted(deps, e),
});
