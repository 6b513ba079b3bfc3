/**
 * @module Every service in one process, for one box or one binary: the same plugins the
 * stand-alone services mount, behind one HTTP kit on one port. `SERVICES` picks the roles.
 */
import { loadConfig, env } from '@syncro/kit/config';
import type { RunningService, ServiceContext } from '@syncro/kit/service';
import { loadAssignmentConfig, start as startAssignment } from '@syncro/assignment';
import { loadAuthConfig, start as startAuth } from '@syncro/auth';
import type { TokenVerifier } from '@syncro/kit/auth';
import { loadTicketConfig, start as startTickets } from '@syncro/tickets';
import * as v from 'valibot';

type Env = Record<string, string | undefined>;

/** What the process knows of a role: how to configure it from the environment, how to start it. */
interface Role<C> {
  name: string;
  /** Its database on POSTGRES_URL, unless `<NAME>_DATABASE_URL` names another. */
  database: string;
  loadConfig: (source: Env) => C;
  /** `verify`: the local Auth Service's verifier when it runs in this process (no JWKS over HTTP). */
  start: (ctx: ServiceContext, config: C, verify: TokenVerifier | undefined) => Promise<RunningService & { verify?: TokenVerifier }>;
}
const role = <C>(r: Role<C>) => r as unknown as Role<unknown>;
const withVerify = (verify: TokenVerifier | undefined) => (verify ? { verify } : {});

/** In start order: auth first, so the others can use its verifier. Adding a service is adding a line. */
export const REGISTRY = [
  role({
    name: 'auth',
    database: 'syncro_auth_db',
    loadConfig: (source) => loadAuthConfig({ PUBLIC_URL: `http://127.0.0.1:${source.PORT ?? 3000}`, ...source }),
    start: (ctx, config) => startAuth(ctx, { config }),
  }),
  role({ name: 'tickets', database: 'syncro_ticket_db', loadConfig: loadTicketConfig, start: (ctx, config, verify) => startTickets(ctx, { config, ...withVerify(verify) }) }),
  role({ name: 'assignment', database: 'syncro_assign_db', loadConfig: loadAssignmentConfig, start: (ctx, config, verify) => startAssignment(ctx, { config, ...withVerify(verify) }) }),
];

export const ROLES = REGISTRY.map((r) => r.name) as [string, ...string[]];

export const AllInOneConfig = v.object({
  PORT: env.port(3000),
  /** The Postgres server; each service gets its own database on it (DESIGN: one per service). */
  POSTGRES_URL: env.url('postgres://postgres@127.0.0.1:5432'),
  SERVICES: v.optional(
    v.pipe(
      v.string(),
      v.transform((s) => s.split(',').map((x) => x.trim()).filter(Boolean)),
      v.array(v.picklist(ROLES, `each must be one of ${ROLES.join(', ')}`)),
    ),
    ROLES.join(','),
  ),
});

const databaseFor = (server: string, name: string) => {
  const url = new URL(server);
  url.pathname = `/${name}`;
  return url.toString();
};

export async function startAll(ctx: ServiceContext, source: Env = process.env) {
  const config = loadConfig(AllInOneConfig, source);
  const wanted = new Set<string>(config.SERVICES);
  const running: RunningService[] = [];
  try {
    let verify: TokenVerifier | undefined;
    for (const r of REGISTRY.filter((r) => wanted.has(r.name))) {
      const NAME = r.name.toUpperCase();
      const roleConfig = r.loadConfig({
        ...source,
        PORT: String(config.PORT),
        DATABASE_URL: source[`${NAME}_DATABASE_URL`] ?? databaseFor(config.POSTGRES_URL, r.database),
        // Each role consumes as its own group; one shared KAFKA_GROUP_ID would merge them.
        KAFKA_GROUP_ID: source[`${NAME}_KAFKA_GROUP_ID`],
      });
      const service = await r.start(ctx, roleConfig, verify);
      running.push(service);
      verify ??= service.verify;
    }
  } catch (err) {
    for (const s of running.toReversed()) await s.stop();
    throw err;
  }
  return { config, services: running };
}
