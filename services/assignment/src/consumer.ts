/** @module The Assignment Service's consumer: the projection's topics to their handlers (kit runner: contract check, retries, DLQ). */
import { startConsumerInBackground, type BackgroundConsumer, type ConsumerSettings, type EventBus, type Handlers } from '@syncro/kit/bus';
import type { AssignDeps } from './context.ts';
import * as projector from './projection/projector.ts';

export interface ConsumerOptions extends ConsumerSettings {
  /**
   * Which projects this instance serves, by key. Production serves all; a test instance on a
   * shared broker serves only its own, or it would assign other test files' tickets.
   */
  scope?: ((projectKey: string) => boolean) | undefined;
}

const keyOf = (e: { key: string } | { code: string }) => ('key' in e ? e.key : e.code.slice(0, e.code.lastIndexOf('-')));

export function startProjectionConsumer(deps: AssignDeps, bus: EventBus, { scope, ...settings }: ConsumerOptions): BackgroundConsumer {
  const inScope = scope ?? (() => true);
  const handlers: Handlers = {
    'project.created': (e) => (inScope(keyOf(e)) ? projector.projectCreated(deps, e) : Promise.resolve()),
    'project.member.added': (e) => (inScope(keyOf(e)) ? projector.memberAdded(deps, e) : Promise.resolve()),
    'project.member.removed': (e) => (inScope(keyOf(e)) ? projector.memberRemoved(deps, e) : Promise.resolve()),
    'ticket.created': (e) => (inScope(keyOf(e)) ? projector.ticketCreated(deps, e) : Promise.resolve()),
    'ticket.status.updated': (e) => (inScope(keyOf(e)) ? projector.statusUpdated(deps, e) : Promise.resolve()),
    'ticket.updated': (e) => (inScope(keyOf(e)) ? projector.ticketUpdated(deps, e) : Promise.resolve()),
    'ticket.deleted': (e) => (inScope(keyOf(e)) ? projector.ticketDeleted(deps, e) : Promise.resolve()),
  };
  return startConsumerInBackground({
    bus,
    ...settings,
    logger: deps.logger,
    metrics: deps.metrics,
    handlers,
  });
}
