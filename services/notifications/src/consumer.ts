/** @module The Notification Service's consumer: its topics, listed, to one handler (kit runner: contract check, retries, DLQ). */
import { startConsumerInBackground, type BackgroundConsumer, type ConsumerSettings, type EventBus, type Handlers } from '@syncro/kit/bus';
import type { NotifyDeps } from './context.ts';
import { handleEvent } from './fanout/eventHandler.ts';

export const CONSUMED_TOPICS = [
  'user.created',
  'user.updated',
  'project.created',
  'project.member.added',
  'project.member.removed',
  'ticket.created',
  'ticket.updated',
  'ticket.assigned',
  'ticket.commented',
  'ticket.status.updated',
] as const;

export function startNotificationConsumer(deps: NotifyDeps, bus: EventBus, settings: ConsumerSettings): BackgroundConsumer {
  const handlers: Handlers = Object.fromEntries(CONSUMED_TOPICS.map((topic) => [topic, (e: any) => handleEvent(deps, topic, e)]));
  return startConsumerInBackground({ bus, ...settings, logger: deps.logger, metrics: deps.metrics, handlers });
}
