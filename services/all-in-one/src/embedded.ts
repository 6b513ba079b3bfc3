/**
 * @module The embedded default of one process: what the raw environment leaves out runs here.
 * No POSTGRES_URL / DATABASE_URL / `<NAME>_DATABASE_URL` → a Postgres child process on the data
 * folder; no KAFKA_BROKERS → one Postgres bus (`syncro_bus`, or BUS_DATABASE_URL) shared by every role; no REDIS_URL /
 * UPSTASH_* → one in-process cache whose PUBLISH feeds the hub. Each variable moves its part out alone.
 */
import { chmodSync, mkdirSync } from 'node:fs';
import { homedir, userInfo } from 'node:os';
import { join } from 'node:path';
import { Elysia } from 'elysia';
import { createPgBus } from '@syncro/kit/bus';
import { createMemoryCache } from '@syncro/kit/cache';
import { ensureDatabase, startEmbeddedPostgres, type EmbeddedPostgres } from '@syncro/kit/db';
// Not re-exported by '@syncro/kit/db' (yet): the compiled binary's way to bring the Postgres binaries.
import { unpackPostgres } from '@syncro/kit/db';
import { createMemorySubscriber } from '@syncro/kit/pubsub';
import type { RunningService, ServiceContext } from '@syncro/kit/service';

type Env = Record<string, string | undefined>;

/** Roles that share the cache and its pub/sub: all here, or Redis is needed to join them up. */
const CACHE_ROLES = ['tickets', 'realtime', 'notifications'];

export interface EmbeddedParts {
  /** The Postgres server URL (path `/postgres`) when embedded. */
  postgresUrl?: string;
  dataDir: string;
  /** Stopped first of all (index 0 of the services, which stop in reverse): bus, cache, then Postgres. */
  service: RunningService;
  ctx: ServiceContext;
  /** What the roles' configuration gets on top of the environment. */
  env: Env;
  parts: { database: boolean; bus: boolean; cache: boolean };
  /** Where the embedded start went, ms (the start-up line reports it). */
  timings: Record<string, number>;
}

/**
 * `--data` / SYNCROBOARD_DATA, else ~/.local/share/syncroboard. As root the database runs as the
 * `postgres` user, which cannot enter /root: then /var/lib/syncroboard.
 */
export function dataDirFrom(source: Env): string {
  if (source.SYNCROBOARD_DATA) return source.SYNCROBOARD_DATA;
  if (userInfo().uid === 0) return '/var/lib/syncroboard';
  return join(source.XDG_DATA_HOME ?? join(homedir(), '.local', 'share'), 'syncroboard');
}

/** Roles with no events: the board's pages only. Every other role publishes or consumes. */
const BUSLESS_ROLES = ['web'];

/**
 * What runs embedded: a part the environment leaves out, if a wanted role needs it. A hub or the
 * board alone (a scale-out instance) needs no database, and the board alone no bus nor cache.
 */
export function embeddedPlan(source: Env, wanted: Set<string>, databases: string[]) {
  const bus = !source.KAFKA_BROKERS && [...wanted].some((r) => !BUSLESS_ROLES.includes(r));
  // The bus in a database needs a Postgres server too, unless BUS_DATABASE_URL names one.
  const needsPostgres = databases.length > 0 || (bus && !source.BUS_DATABASE_URL);
  const database = needsPostgres && !source.POSTGRES_URL && !source.DATABASE_URL && !databases.some((name) => source[`${name.toUpperCase()}_DATABASE_URL`]);
  const here = CACHE_ROLES.filter((r) => wanted.has(r));
  const cache = here.length > 0 && !source.REDIS_URL && !source.UPSTASH_REDIS_REST_URL && !source.UPSTASH_REDIS_REST_TOKEN;
  if (cache && here.length < CACHE_ROLES.length) {
    throw new Error(
      `Invalid configuration:\n  - REDIS_URL is needed when ${here.join(', ')} run without ${CACHE_ROLES.filter((r) => !wanted.has(r)).join(', ')}: the in-process cache reaches only this process`,
    );
  }
  return { database, bus, cache };
}

export async function startEmbedded(
  ctx: ServiceContext,
  source: Env,
  plan: ReturnType<typeof embeddedPlan>,
  opts: { postgresArchive?: Blob; postgresTemplate?: Blob } = {},
): Promise<EmbeddedParts> {
  const dataDir = dataDirFrom(source);
  const env: Env = {};
  let pg: EmbeddedPostgres | undefined;
  let bus: ReturnType<typeof createPgBus> | undefined;
  let cache: ReturnType<typeof createMemoryCache> | undefined;
  const shared: Partial<ServiceContext> = {};
  const timings: Record<string, number> = {};
  let t = performance.now();
  const lap = (name: string) => {
    timings[name] = Math.round(performance.now() - t);
    t = performance.now();
  };
  try {
    if (plan.database || plan.bus || plan.cache) mkdirSync(dataDir, { recursive: true });
    if (plan.database) {
      // As root the server runs as `postgres`, which must reach its folder (and the unpacked binaries).
      if (userInfo().uid === 0) chmodSync(dataDir, 0o755);
      // Not awaited here: the template (first start) unpacks at the same time.
      const t0 = performance.now();
      const nativeDir = opts.postgresArchive
        ? unpackPostgres(opts.postgresArchive, join(dataDir, 'runtime')).then((dir) => ((timings.unpack = Math.round(performance.now() - t0)), dir))
        : undefined;
      pg = await startEmbeddedPostgres({
        dataDir: join(dataDir, 'postgres'),
        ...(nativeDir ? { nativeDir } : {}),
        ...(opts.postgresTemplate ? { template: opts.postgresTemplate } : {}),
        onLog: (line) => ctx.logger.debug('postgres', { line }),
        // One process's pools (about 20 connections): a smaller shared memory than the adapter's default.
        settings: { max_connections: '60', shared_buffers: '16MB' },
      });
      Object.assign(timings, pg.timings);
      t = performance.now();
      env.POSTGRES_URL = pg.url;
      // Four pools of 2, the relays' and the bus's listeners and subscriptions: about 20 connections at 2–4 MiB each, the better part of the board's memory.
      env.DB_POOL_MAX = source.DB_POOL_MAX ?? '2';
    }
    // Keys next to the data, so sessions survive a restart.
    env.AUTH_KEY_DIR = source.AUTH_KEY_DIR ?? join(dataDir, 'keys');
    if (plan.bus) {
      const url = new URL(pg?.url || source.POSTGRES_URL || source.DATABASE_URL || 'postgres://postgres@127.0.0.1:5432');
      url.pathname = '/syncro_bus';
      const busUrl = source.BUS_DATABASE_URL || url.toString();
      await ensureDatabase(busUrl);
      bus = createPgBus({ url: busUrl, logger: ctx.logger.child({ svc: 'bus' }), max: 2 });
      shared.bus = bus;
      lap('busDatabase');
    }
    if (plan.cache) {
      const c = createMemoryCache();
      cache = c;
      shared.cache = c;
      shared.pubsub = c.pubsub;
      shared.subscriber = () => createMemorySubscriber(c.pubsub);
    }
  } catch (err) {
    await bus?.close();
    await pg?.stop();
    throw err;
  }
  const service: RunningService = {
    name: 'embedded',
    plugin: new Elysia({ name: 'embedded' }),
    checks: bus ? { bus: { critical: true, check: () => bus!.check() } } : {},
    async stop() {
      await bus?.close();
      cache?.close();
      await pg?.stop();
    },
  };
  return { ...(pg ? { postgresUrl: pg.url } : {}), dataDir, service, ctx: { ...ctx, ...shared }, env, parts: plan, timings };
}
