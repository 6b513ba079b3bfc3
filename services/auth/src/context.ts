/** @module What every route and command of the Auth Service is given: passed in, never global. */
import type { TokenVerifier } from '@syncro/kit/auth';
import type { Db } from '@syncro/kit/db';
import type { MetricsRegistry } from '@syncro/kit/http';
import type { Logger } from '@syncro/kit/log';
import type { AuthConfig } from './config.ts';
import type * as schema from './db/schema.ts';
import type { KeyRing } from './keys/keyRing.ts';
import type { LoginProvider } from './oauth/loginProvider.ts';

export type AuthDb = Db<typeof schema>;
export type Tx = Parameters<Parameters<AuthDb['transaction']>[0]>[0];

export interface AuthDeps {
  db: AuthDb;
  config: AuthConfig;
  keys: KeyRing;
  /** Verifies this service's own access tokens against `keys`, without HTTP. */
  verify: TokenVerifier;
  providers: Map<string, LoginProvider>;
  /** Called after a commit that wrote outbox rows. */
  wakeRelay: () => void;
  logger: Logger;
  metrics: MetricsRegistry;
}
