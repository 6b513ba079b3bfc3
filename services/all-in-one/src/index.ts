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

export const ROLES = ['auth', 'tickets', 'assignment'] as const;
type Role = (typeof ROLES)[number];

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

export async function startAll(ctx: ServiceContext, source: Record<string, string | undefined> = process.env) {
  const config = loadConfig(AllInOneConfig, source);
  const roles = new Set<Role>(config.SERVICES);
  const running: RunningService[] = [];
  try {
    // With auth in this process the others verify with its key set directly, not over HTTP.
    let verify: TokenVerifier | undefined;
    if (roles.has('auth')) {
      const auth = await startAuth(ctx, {
        config: loadAuthConfig({
          PUBLIC_URL: `http://127.0.0.1:${config.PORT}`,
          ...source,
          DATABASE_URL: source.AUTH_DATABASE_URL ?? databaseFor(config.POSTGRES_URL, 'syncro_auth_db'),
        }),
      });
      running.push(auth);
      verify = auth.verify;
    }
    if (roles.has('tickets')) {
      const tickets = loadTicketConfig({
        ...source,
        DATABASE_URL: source.TICKETS_DATABASE_URL ?? databaseFor(config.POSTGRES_URL, 'syncro_ticket_db'),
        // Each role consumes as its own group; one shared KAFKA_GROUP_ID would merge them.
        KAFKA_GROUP_ID: source.TICKETS_KAFKA_GROUP_ID,
      });
      running.push(await startTickets(ctx, { config: tickets, ...(verify ? { verify } : {}) }));
    }
    if (roles.has('assignment')) {
      const assignment = loadAssignmentConfig({
        ...source,
        DATABASE_URL: source.ASSIGNMENT_DATABASE_URL ?? databaseFor(config.POSTGRES_URL, 'syncro_assign_db'),
        KAFKA_GROUP_ID: source.ASSIGNMENT_KAFKA_GROUP_ID,
      });
      running.push(await startAssignment(ctx, { config: assignment, ...(verify ? { verify } : {}) }));
    }
  } catch (err) {
    for (const s of running.toReversed()) await s.stop();
    throw err;
  }
  return { config, services: running };
}
