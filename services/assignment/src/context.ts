/** @module What every route, command and handler of the Assignment Service is given: passed in, never global. */
import type { TokenVerifier } from '@syncro/kit/auth';
import type { Db } from '@syncro/kit/db';
import type { MetricsRegistry } from '@syncro/kit/http';
import type { Logger } from '@syncro/kit/log';
import type * as schema from './db/schema.ts';

export type AssignDb = Db<typeof schema>;
export type Tx = Parameters<Parameters<AssignDb['transaction']>[0]>[0];

export interface AssignDeps {
  db: AssignDb;
  /** Called after a commit that wrote outbox rows. */
  wakeRelay: () => void;
  verify: TokenVerifier;
  logger: Logger;
  metrics: MetricsRegistry;
  /** The clock of availability checks and assignment times (tests may pin it). */
  now: () => Date;
}
