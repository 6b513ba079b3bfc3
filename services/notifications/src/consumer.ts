/** @module The Notification Service's consumer: its topics, listed, to one handler (run by the backbone's consumer: contract check, retries, DLQ). */
import type { Handlers } from '@syncro/kit/bus';
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

export const notificationHandlers = (deps: NotifyDeps): Handlers =>
  Object.fromEntries(CONSUMED_TOPICS.map((topic) => [topic, (e: any) => handleEvent(deps, topic, e)]));
