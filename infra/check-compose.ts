/**
 * @module Structural check of compose.yaml, Dockerfile and the files they use, run by
 * infra/check-compose.sh (always; beside `docker compose config` / `docker-compose config`
 * when one is installed, alone when none is). No engine needed.
 *
 * Usage: bun infra/check-compose.ts [compose.yaml]   exit 0 ok, 1 with one line per problem.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';

type Healthcheck = { test?: string | string[]; disable?: boolean };
type Service = {
  image?: string;
  build?: string | { context?: string; dockerfile?: string };
  command?: string | string[];
  entrypoint?: string | string[];
  environment?: Record<string, string | number | boolean | null> | string[];
  ports?: (string | { published?: string | number; host_ip?: string })[];
  volumes?: (string | { type?: string; source?: string })[];
  depends_on?: string[] | Record<string, { condition?: string }>;
  healthcheck?: Healthcheck;
  restart?: string;
};

const ROOT = resolve(import.meta.dir, '..');
/** The application services: their database and port (DESIGN § Configuration). */
const APP_SERVICES: Record<string, { db: string | null; port: number }> = {
  auth: { db: 'syncro_auth_db', port: 3001 },
  tickets: { db: 'syncro_ticket_db', port: 3002 },
  assignment: { db: 'syncro_assign_db', port: 3003 },
  notifications: { db: 'syncro_notify_db', port: 3004 },
  // The hub keeps no database: its state is rooms in memory and Redis.
  realtime: { db: null, port: 3005 },
};
const REQUIRED = ['redpanda', 'console', 'topics', 'postgres', 'redis', ...Object.keys(APP_SERVICES)];
const ONE_SHOT = new Set(['topics']);
const CONDITIONS = new Set(['service_started', 'service_healthy', 'service_completed_successfully']);
const DATABASES = ['syncro_ticket_db', 'syncro_auth_db', 'syncro_assign_db', 'syncro_notify_db'];

export function checkCompose(file: string): string[] {
  const problems: string[] = [];
  const fail = (msg: string) => problems.push(msg);
  const base = dirname(file);

  let doc: { services?: Record<string, Service>; volumes?: Record<string, unknown> };
  try {
    doc = Bun.YAML.parse(readFileSync(file, 'utf8')) as typeof doc;
  } catch (err) {
    return [`${file}: not valid YAML: ${(err as Error).message}`];
  }
  const services = doc?.services ?? {};
  const names = Object.keys(services);
  for (const r of REQUIRED) if (!names.includes(r)) fail(`service "${r}" is missing`);
  const namedVolumes = new Set(Object.keys(doc.volumes ?? {}));

  for (const [name, svc] of Object.entries(services)) {
    const at = `services.${name}`;
    if (!svc || typeof svc !== 'object') {
      fail(`${at}: not a mapping`);
      continue;
    }
    if (!svc.image && !svc.build) fail(`${at}: needs image or build`);
    if (svc.image && !svc.build) {
      const tag = svc.image.includes('@') ? 'digest' : svc.image.split('/').pop()!.split(':')[1];
      if (!tag || tag === 'latest') fail(`${at}: image "${svc.image}" is not pinned to a version`);
    }
    if (svc.build) {
      const build = typeof svc.build === 'string' ? { context: svc.build } : svc.build;
      const ctx = resolve(base, build.context ?? '.');
      const dockerfile = resolve(ctx, build.dockerfile ?? 'Dockerfile');
      if (!existsSync(dockerfile)) fail(`${at}: build Dockerfile ${dockerfile} does not exist`);
    }
    if (!ONE_SHOT.has(name)) {
      const hc = svc.healthcheck;
      if (!hc || hc.disable || !hc.test || (Array.isArray(hc.test) && hc.test.length < 2)) fail(`${at}: needs a healthcheck`);
    }
    const deps = svc.depends_on ?? {};
    const depEntries = Array.isArray(deps) ? deps.map((d) => [d, {}] as const) : Object.entries(deps);
    for (const [dep, spec] of depEntries) {
      if (!services[dep]) fail(`${at}.depends_on: unknown service "${dep}"`);
      const cond = (spec as { condition?: string }).condition;
      if (!cond || !CONDITIONS.has(cond)) fail(`${at}.depends_on.${dep}: condition must be one of ${[...CONDITIONS].join(', ')}`);
      else if (cond === 'service_healthy' && services[dep] && !services[dep]!.healthcheck) {
        fail(`${at}.depends_on.${dep}: service_healthy but "${dep}" has no healthcheck`);
      } else if (cond === 'service_completed_successfully' && !ONE_SHOT.has(dep)) {
        fail(`${at}.depends_on.${dep}: service_completed_successfully on a long-running service`);
      }
    }
    for (const v of svc.volumes ?? []) {
      const source = typeof v === 'string' ? v.split(':')[0]! : (v.source ?? '');
      if (source.startsWith('.') || source.startsWith('/')) {
        if (!existsSync(resolve(base, source))) fail(`${at}.volumes: host path ${source} does not exist`);
      } else if (source && !namedVolumes.has(source)) {
        fail(`${at}.volumes: named volume "${source}" is not declared under top-level volumes`);
      }
    }
    for (const p of svc.ports ?? []) {
      const hostIp = typeof p === 'string' ? (p.split(':').length === 3 ? p.split(':')[0] : undefined) : p.host_ip;
      if (hostIp !== '127.0.0.1') fail(`${at}.ports: "${typeof p === 'string' ? p : JSON.stringify(p)}" should bind 127.0.0.1 only`);
    }
  }

  // Semantics the services rely on.
  const env = (name: string) => {
    const e = services[name]?.environment ?? {};
    return Array.isArray(e) ? Object.fromEntries(e.map((kv) => kv.split(/=(.*)/s).slice(0, 2))) : e;
  };
  const expectEnv = (service: string, key: string, pred: (v: string) => boolean, want: string) => {
    const v = env(service)[key];
    if (v === undefined || v === null || !pred(String(v))) fail(`services.${service}.environment.${key}: want ${want}, got ${v}`);
  };
  // Every application service: its own database, the compose broker, its port, its entry point.
  for (const [service, { db, port }] of Object.entries(APP_SERVICES)) {
    if (db) expectEnv(service, 'DATABASE_URL', (v) => v === `postgres://postgres:postgres@postgres:5432/${db}`, `the compose postgres, ${db}`);
    expectEnv(service, 'KAFKA_BROKERS', (v) => v === 'redpanda:9092', 'redpanda:9092');
    expectEnv(service, 'PORT', (v) => v === String(port), String(port));
    const cmd = [services[service]?.command ?? []].flat().join(' ');
    if (!cmd.includes(`services/${service}/src/main.ts`)) fail(`services.${service}.command: should run services/${service}/src/main.ts`);
    if (service !== 'auth') {
      expectEnv(service, 'JWKS_URL', (v) => v === 'http://auth:3001/.well-known/jwks.json', "the auth service's JWKS");
      expectEnv(service, 'AUTH_ISSUER', (v) => v.length > 0, 'an issuer');
    }
  }
  for (const service of ['tickets', 'notifications', 'realtime']) expectEnv(service, 'REDIS_URL', (v) => v === 'redis://redis:6379', 'redis://redis:6379');
  expectEnv('realtime', 'TICKETS_URL', (v) => v === 'http://tickets:3002', 'http://tickets:3002');
  const rpCmd = [services.redpanda?.command ?? []].flat().join(' ');
  if (!/--mode[= ]dev-container/.test(rpCmd)) fail('services.redpanda.command: want --mode dev-container');
  const topicsCmd = [services.topics?.entrypoint ?? [], services.topics?.command ?? []].flat().join(' ');
  if (!topicsCmd.includes('apply-topics.sh')) fail('services.topics: should run redpanda/apply-topics.sh');

  for (const f of ['redpanda/apply-topics.sh', 'redpanda/topics.conf', 'infra/postgres-init.sql', '.dockerignore']) {
    if (!existsSync(resolve(ROOT, f)) || statSync(resolve(ROOT, f)).size === 0) fail(`${f} is missing or empty`);
  }
  const initSql = existsSync(resolve(ROOT, 'infra/postgres-init.sql')) ? readFileSync(resolve(ROOT, 'infra/postgres-init.sql'), 'utf8') : '';
  for (const db of DATABASES) if (!new RegExp(`CREATE DATABASE\\s+"?${db}"?\\s*;`, 'i').test(initSql)) fail(`infra/postgres-init.sql: no CREATE DATABASE ${db}`);

  // The image's Bun must be the pinned one.
  const pkg = JSON.parse(readFileSync(resolve(ROOT, 'package.json'), 'utf8')) as { packageManager?: string };
  const bunVersion = pkg.packageManager?.replace(/^bun@/, '');
  const dockerfile = existsSync(resolve(ROOT, 'Dockerfile')) ? readFileSync(resolve(ROOT, 'Dockerfile'), 'utf8') : '';
  const froms = [...dockerfile.matchAll(/^FROM\s+(\S+)/gim)].map((m) => m[1]!);
  if (froms.length === 0) fail('Dockerfile: no FROM');
  for (const from of froms) {
    if (from.startsWith('oven/bun') && from !== `oven/bun:${bunVersion}`) fail(`Dockerfile: FROM ${from}, package.json pins bun@${bunVersion}`);
  }
  if (!/bun install --frozen-lockfile --production/.test(dockerfile)) fail('Dockerfile: want bun install --frozen-lockfile --production');
  // bun install applies package.json "patchedDependencies": the patch files must be in the install layer.
  const patched = Object.values((JSON.parse(readFileSync(resolve(ROOT, 'package.json'), 'utf8')) as { patchedDependencies?: Record<string, string> }).patchedDependencies ?? {});
  if (patched.length && !/cp[^\n]*\bpatches\b[^\n]*\/manifests/.test(dockerfile)) fail('Dockerfile: the manifests stage must copy patches/ (package.json patchedDependencies)');
  for (const f of patched) if (!existsSync(resolve(ROOT, f))) fail(`package.json patchedDependencies: ${f} is missing`);
  if (!/services\/tickets\/src\/main\.ts/.test(dockerfile)) fail('Dockerfile: should run services/tickets/src/main.ts');
  return problems;
}

if (import.meta.main) {
  const file = resolve(process.argv[2] ?? resolve(ROOT, 'compose.yaml'));
  const problems = checkCompose(file);
  for (const p of problems) console.error(`[compose] ${p}`);
  if (problems.length > 0) process.exit(1);
  console.error(`[compose] structure ok: ${file}`);
}
