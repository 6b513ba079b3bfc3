/** @module What every route and command of the Ticket Service is given: passed in, never global. */
import type { TokenVerifier } from '@syncro/kit/auth';
import type { Db } from '@syncro/kit/db';
import type { MetricsRegistry } from '@syncro/kit/http';
import type { Logger } from '@syncro/kit/log';
import type { BoardCache } from './board/boardCache.ts';
import type * as schema from './db/schema.ts';
import type { ServiceVerifier } from './events/serviceCaller.ts';
import type { TicketConfig } from './config.ts';

export type TicketDb = Db<typeof schema>;
export type Tx = Parameters<Parameters<TicketDb['transaction']>[0]>[0];

export interface TicketDeps {
  db: TicketDb;
  boardCache: BoardCache;
  /** Called after a commit that wrote outbox rows. */
  wakeRelay: () => void;
  verify: TokenVerifier;
  /** Verifies service credentials (aud SERVICE_AUDIENCE); only the event log accepts them. */
  verifyService: ServiceVerifier;
  logger: Logger;
  metrics: MetricsRegistry;
  config: TicketConfig;
  /** Wakes the outbound webhook sender after deliveries were queued. */
  wakeWebhooks: () => void;
}
