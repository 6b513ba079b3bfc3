/**
 * @module Every service in one process, for one box or one binary: the same plugins the
 * stand-alone services mount, behind one HTTP kit on one port. `SERVICES` picks the roles.
 */
import { loadConfig, env } from '@syncro/kit/config';
import type { RunningService, ServiceContext } from '@syncro/kit/service';
import { loadAssignmentConfig, start as startAssignment } from '@syncro/assignment';
import { loadAuthConfig, newClientSecret, start as startAuth, type AuthService } from '@syncro/auth';
import type { TokenVerifier } from '@syncro/kit/auth';
import { loadNotifyConfig, start as startNotifications } from '@syncro/notifications';
import { loadRealtimeConfig, start as startRealtime } from '@syncro/realtime';
import { createServiceVerifier, loadTicketConfig, start as startTickets } from '@syncro/tickets';
import { startWeb, type buildBoard } from '@syncro/web';
import * as v from 'valibot';
import { embeddedPlan, startEmbedded } from './embedded.ts';

type Env = Record<string, string | undefined>;
export type Assets = Awaited<ReturnType<typeof buildBoard>>;

/**
 * What the roles of one process share: the local Auth Service (its verifier and key set, so nobody
 * fetches a JWKS over HTTP from itself) and the realtime hub's service credential, minted for this
 * process only when both auth and realtime run here.
 */
interface Local {
  auth?: AuthService;
  verify?: TokenVerifier;
  hubClient?: { id: string; secret: string; hash: string };
  /** The board built at compile time (the binary carries no app sources to build it from). */
  webAssets?: Assets;
}

/** What the process knows of a role: how to configure it from the environment, how to start it. */
interface Role<C> {
  name: string;
  /** Its database on POSTGRES_URL, unless `<NAME>_DATABASE_URL` names another; none for the hub. */
  database?: string;
  loadConfig: (source: Env, local: Local) => C;
  start: (ctx: ServiceContext, config: C, local: Local) => Promise<RunningService>;
}
const role = <C>(r: Role<C>) => r as unknown as Role<unknown>;
const withVerify = (local: Local) => (local.verify ? { verify: local.verify } : {});
const self = (source: Env) => `http://127.0.0.1:${source.PORT ?? 3000}`;

/** In start order: auth first, so the others can use its verifier. Adding a service is adding a line. */
export const REGISTRY = [
  role({
    name: 'auth',
    database: 'syncro_auth_db',
    loadConfig: (source, local) =>
      loadAuthConfig({
        PUBLIC_URL: self(source),
        // After a login (and the setup link), people land on the board this process serves.
        APP_URL: `${self(source)}/`,
        ...source,
        ...(local.hubClient ? { SERVICE_CLIENTS: [source.SERVICE_CLIENTS, `${local.hubClient.id}:${local.hubClient.hash}`].filter(Boolean).join(',') } : {}),
      }),
    start: async (ctx, config: ReturnType<typeof loadAuthConfig>, local) => {
      const auth = await startAuth(ctx, { config });
      local.auth = auth;
      local.verify = auth.verify;
      return auth;
    },
  }),
  role({
    name: 'tickets',
    database: 'syncro_ticket_db',
    loadConfig: (source) => loadTicketConfig(source),
    start: (ctx, config: ReturnType<typeof loadTicketConfig>, local) =>
      startTickets(ctx, {
        config,
        ...withVerify(local),
        // The hub's service credential is verified with the local key set too.
        ...(local.auth
          ? { verifyService: createServiceVerifier({ jwksUrl: '', issuer: local.auth.deps.config.AUTH_ISSUER, audience: config.SERVICE_AUDIENCE, keys: local.auth.keys.resolver }) }
          : {}),
      }),
  }),
  role({ name: 'assignment', database: 'syncro_assign_db', loadConfig: (source) => loadAssignmentConfig(source), start: (ctx, config, local) => startAssignment(ctx, { config, ...withVerify(local) }) }),
  role({
    name: 'notifications',
    database: 'syncro_notify_db',
    // Links in messages and unsubscribe links point at this process (the board and the API share it).
    loadConfig: (source) => loadNotifyConfig({ APP_URL: self(source), PUBLIC_URL: self(source), ...source }),
    start: (ctx, config, local) => startNotifications(ctx, { config, ...withVerify(local) }),
  }),
  role({
    name: 'realtime',
    loadConfig: (source, local) =>
      loadRealtimeConfig({
        TICKETS_URL: self(source),
        AUTH_URL: self(source),
        ...source,
        ...(local.hubClient ? { SERVICE_CLIENT_ID: local.hubClient.id, SERVICE_CLIENT_SECRET: local.hubClient.secret } : {}),
      }),
    start: (ctx, config, local) => startRealtime(ctx, { config, ...withVerify(local) }),
  }),
  // The board at `/` on the same origin as the APIs: only its pages (`/`, `/login`, `/invite`, `/p/*`: web's PAGE_ROUTES) and `/assets/*` are its own.
  role({ name: 'web', loadConfig: () => ({}), start: (ctx, _config, local) => startWeb(ctx, local.webAssets ? { assets: local.webAssets } : {}) }),
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

/** The server the roles' databases live on: the embedded one, POSTGRES_URL, or DATABASE_URL's server (its path is replaced per role). */
export const postgresServer = (source: Env, embedded?: string) => embedded ?? (source.POSTGRES_URL || source.DATABASE_URL || undefined);

export interface StartAllOptions {
  /** The board's assets, built at compile time. */
  webAssets?: Assets;
  /** The Postgres binaries as a tar.gz (the compiled binary's embedded file); default: the npm package. */
  postgresArchive?: Blob;
  /** A cluster made and migrated at build time (tar.gz): a first start unpacks it instead of initdb and the migrations. */
  postgresTemplate?: Blob;
}

export async function startAll(ctx: ServiceContext, source: Env = process.env, opts: StartAllOptions = {}) {
  // From the raw environment, before any default applies: what is not configured runs embedded.
  const requested = loadConfig(AllInOneConfig, source);
  const wanted = new Set<string>(requested.SERVICES);
  const plan = embeddedPlan(source, wanted, REGISTRY.filter((r) => wanted.has(r.name) && r.database).map((r) => r.name));
  const { postgresArchive, postgresTemplate } = opts;
  const embedded = await startEmbedded(ctx, source, plan, { ...(postgresArchive ? { postgresArchive } : {}), ...(postgresTemplate ? { postgresTemplate } : {}) });
  const env: Env = { ...embedded.env, ...source, POSTGRES_URL: postgresServer(source, embedded.postgresUrl), ...(embedded.postgresUrl ? { DB_POOL_MAX: embedded.env.DB_POOL_MAX } : {}) };
  const config = loadConfig(AllInOneConfig, env);
  // Index 0: stopped after every role (services stop in reverse).
  const running: RunningService[] = Object.values(plan).some(Boolean) ? [embedded.service] : [];
  const timings = { ...embedded.timings };
  try {
    const local: Local = opts.webAssets ? { webAssets: opts.webAssets } : {};
    if (wanted.has('auth') && wanted.has('realtime') && !source.SERVICE_CLIENT_SECRET) {
      local.hubClient = { id: 'realtime', ...newClientSecret() };
    }
    const startRole = async (r: Role<unknown>) => {
      const NAME = r.name.toUpperCase();
      const roleConfig = r.loadConfig(
        {
          ...env,
          PORT: String(config.PORT),
          DATABASE_URL: r.database ? (source[`${NAME}_DATABASE_URL`] ?? databaseFor(config.POSTGRES_URL, r.database)) : undefined,
          // Each role consumes as its own group; one shared KAFKA_GROUP_ID would merge them.
          KAFKA_GROUP_ID: source[`${NAME}_KAFKA_GROUP_ID`],
        },
        local,
      );
      const t = performance.now();
      const service = await r.start(embedded.ctx, roleConfig, local);
      timings[r.name] = Math.round(performance.now() - t);
      return service;
    };
    // Auth first (the others verify with its keys), then the rest at once: each mostly waits on its
    // own database (connect, migrations check), so together they take about as long as the slowest.
    const roles = REGISTRY.filter((r) => wanted.has(r.name));
    const auth = roles.find((r) => r.name === 'auth');
    if (auth) running.push(await startRole(auth));
    const rest = await Promise.allSettled(roles.filter((r) => r !== auth).map(startRole));
    for (const r of rest) if (r.status === 'fulfilled') running.push(r.value);
    const failed = rest.find((r) => r.status === 'rejected');
    if (failed) throw failed.reason;
  } catch (err) {
    for (const s of running.toReversed()) await s.stop();
    throw err;
  }
  return { config, services: running, embedded: { dataDir: embedded.dataDir, parts: embedded.parts }, local: localOf(running), timings };
}

const localOf = (running: RunningService[]) => ({ auth: running.find((s) => s.name === 'auth') as AuthService | undefined });
