/**
 * @module Structural check of compose.yaml, the Dockerfile, deploy/Caddyfile and the files they
 * use, run by infra/check-compose.sh (always; beside `docker compose config` / `docker-compose
 * config` when one is installed, alone when none is). No engine needed.
 *
 * Usage: bun infra/check-compose.ts [compose.yaml]   exit 0 ok, 1 with one line per problem.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { PATH_OWNERS, readCaddyfile, routeFor } from './check-compose.proxy.ts';
import { checkInstanceEnv, ROLES } from './check-compose.env.ts';

type Healthcheck = { test?: string | string[]; disable?: boolean };
export type Service = {
  image?: string;
  build?: string | { context?: string; dockerfile?: string };
  command?: string | string[];
  entrypoint?: string | string[];
  environment?: Record<string, string | number | boolean | null> | string[];
  ports?: (string | { published?: string | number; host_ip?: string })[];
  volumes?: (string | { type?: string; source?: string; target?: string })[];
  depends_on?: string[] | Record<string, { condition?: string }>;
  healthcheck?: Healthcheck;
  restart?: string;
};
export type ComposeDoc = { services?: Record<string, Service>; volumes?: Record<string, unknown> };

const ROOT = resolve(import.meta.dir, '..');
const REQUIRED = ['redpanda', 'console', 'topics', 'postgres', 'redis', 'mailpit', 'proxy'];
const ONE_SHOT = new Set(['topics']);
const CONDITIONS = new Set(['service_started', 'service_healthy', 'service_completed_successfully']);
const DATABASES = ['syncro_ticket_db', 'syncro_auth_db', 'syncro_assign_db', 'syncro_notify_db'];

export const envOf = (svc: Service | undefined): Record<string, string> => {
  const e = svc?.environment ?? {};
  const pairs = Array.isArray(e) ? e.map((kv) => kv.split(/=(.*)/s).slice(0, 2)) : Object.entries(e);
  return Object.fromEntries(pairs.map(([k, v]) => [k, v === null || v === undefined ? '' : String(v)]));
};

/** The binary's role-scoped instances: every service with SERVICES in its environment, and its roles. */
export function roleInstances(doc: ComposeDoc): { name: string; roles: string[]; port: number }[] {
  return Object.entries(doc.services ?? {})
    .filter(([, svc]) => envOf(svc).SERVICES !== undefined)
    .map(([name, svc]) => ({ name, roles: envOf(svc).SERVICES!.split(',').map((r) => r.trim()).filter(Boolean), port: Number(envOf(svc).PORT) }));
}

export const readCompose = (file = resolve(ROOT, 'compose.yaml')) => Bun.YAML.parse(readFileSync(file, 'utf8')) as ComposeDoc;

/** Mount targets of named volumes (state that must outlive the container). */
const volumeTargets = (svc: Service) =>
  (svc.volumes ?? [])
    .map((v) => (typeof v === 'string' ? { source: v.split(':')[0]!, target: v.split(':')[1] ?? '' } : { source: v.source ?? '', target: v.target ?? '' }))
    .filter((v) => v.source && !v.source.startsWith('.') && !v.source.startsWith('/'))
    .map((v) => v.target);

/** `base`: where its relative paths resolve (the project folder; default the file's folder). */
export function checkCompose(file: string, base = dirname(file)): string[] {
  const problems: string[] = [];
  const fail = (msg: string) => problems.push(msg);

  let doc: ComposeDoc;
  try {
    doc = Bun.YAML.parse(readFileSync(file, 'utf8')) as ComposeDoc;
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
      if (svc.restart !== 'unless-stopped' && svc.restart !== 'always') fail(`${at}: needs restart: unless-stopped (or always)`);
    }
    // The old per-service containers ran the sources; the binary replaces them.
    const cmd = [svc.entrypoint ?? [], svc.command ?? []].flat().join(' ');
    if (/services\/[\w-]+\/src\/main\.ts/.test(cmd)) fail(`${at}: runs ${cmd}: the syncroboard binary (SERVICES=…) replaces the per-service entries`);
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

  // State lives on volumes: the broker's log and the databases.
  if (!volumeTargets(services.redpanda ?? {}).includes('/var/lib/redpanda/data')) fail('services.redpanda: /var/lib/redpanda/data should be a named volume');
  if (!volumeTargets(services.postgres ?? {}).includes('/var/lib/postgresql/data')) fail('services.postgres: /var/lib/postgresql/data should be a named volume');

  // The binary's instances: every role somewhere, one auth (its setup link and generated key are its own), two hubs at least.
  const instances = roleInstances(doc);
  for (const i of instances) {
    const at = `services.${i.name}`;
    const svc = services[i.name]!;
    for (const r of i.roles) if (!ROLES.includes(r)) fail(`${at}.environment.SERVICES: unknown role "${r}" (roles: ${ROLES.join(', ')})`);
    if (!svc.build) fail(`${at}: should build the syncroboard image (Dockerfile)`);
    if (!Number.isInteger(i.port) || i.port <= 0) fail(`${at}.environment.PORT: want the port it listens on, got ${envOf(svc).PORT}`);
  }
  for (const r of ROLES) if (!instances.some((i) => i.roles.includes(r))) fail(`no instance runs the ${r} role (SERVICES)`);
  const authInstances = instances.filter((i) => i.roles.includes('auth'));
  if (authInstances.length > 1) fail(`auth runs in ${authInstances.map((i) => i.name).join(', ')}: one instance holds the setup link and the generated key`);
  if (instances.filter((i) => i.roles.includes('realtime')).length < 2) fail('want two realtime instances (rooms across hubs behind the proxy)');
  problems.push(...checkInstanceEnv(doc, instances, { envOf, volumeTargets }));

  // The proxy: the Caddyfile mounted, every upstream a compose instance on its port, every prefix to its owner.
  const proxy = services.proxy;
  if (proxy && !(proxy.volumes ?? []).some((v) => typeof v === 'string' && /^\.\/deploy\/Caddyfile:\/etc\/caddy\/Caddyfile(:ro)?$/.test(v))) {
    fail('services.proxy.volumes: should mount ./deploy/Caddyfile at /etc/caddy/Caddyfile');
  }
  if (proxy && !proxy.image?.startsWith('caddy:')) fail(`services.proxy.image: want caddy (deploy/Caddyfile), got ${proxy.image}`);
  const routes = existsSync(resolve(ROOT, 'deploy/Caddyfile')) ? readCaddyfile(resolve(ROOT, 'deploy/Caddyfile')) : [];
  if (routes.length === 0) fail('deploy/Caddyfile: missing, or no handle blocks');
  const byName = new Map(instances.map((i) => [i.name, i]));
  for (const route of routes) {
    for (const u of route.upstreams) {
      const inst = byName.get(u.host);
      if (!inst) fail(`deploy/Caddyfile: upstream ${u.variable} defaults to ${u.host}, which is not a syncroboard instance of compose.yaml`);
      else if (inst.port !== u.port) fail(`deploy/Caddyfile: upstream ${u.variable} defaults to ${u.host}:${u.port}, but ${u.host} listens on ${inst.port}`);
    }
  }
  for (const [path, role] of Object.entries(PATH_OWNERS)) {
    const hosts = routeFor(routes, path)?.upstreams.map((u) => u.host) ?? [];
    if (!hosts.length || hosts.some((h) => !byName.get(h)?.roles.includes(role))) fail(`deploy/Caddyfile: ${path} goes to ${hosts.join(', ') || 'nothing'}, not to instances running ${role}`);
  }
  const fallback = routeFor(routes, '/p/SYNC');
  if (!fallback?.upstreams.length || fallback.upstreams.some((u) => !byName.get(u.host)?.roles.includes('web'))) fail('deploy/Caddyfile: the board (/, /p/…) should go to the web instance');
  const hubs = routeFor(routes, '/ws')?.upstreams ?? [];
  if (hubs.length < 2) fail('deploy/Caddyfile: /ws should be balanced over two realtime instances');

  const rpCmd = [services.redpanda?.command ?? []].flat().join(' ');
  if (!/--mode[= ]dev-container/.test(rpCmd)) fail('services.redpanda.command: want --mode dev-container');
  const topicsCmd = [services.topics?.entrypoint ?? [], services.topics?.command ?? []].flat().join(' ');
  if (!topicsCmd.includes('apply-topics.sh')) fail('services.topics: should run redpanda/apply-topics.sh');

  for (const f of ['redpanda/apply-topics.sh', 'redpanda/topics.conf', 'infra/postgres-init.sql', '.dockerignore', 'deploy/Caddyfile']) {
    if (!existsSync(resolve(ROOT, f)) || statSync(resolve(ROOT, f)).size === 0) fail(`${f} is missing or empty`);
  }
  const initSql = existsSync(resolve(ROOT, 'infra/postgres-init.sql')) ? readFileSync(resolve(ROOT, 'infra/postgres-init.sql'), 'utf8') : '';
  for (const db of DATABASES) if (!new RegExp(`CREATE DATABASE\\s+"?${db}"?\\s*;`, 'i').test(initSql)) fail(`infra/postgres-init.sql: no CREATE DATABASE ${db}`);

  problems.push(...checkDockerfile());
  return problems;
}

/** The image compiles the binary with the pinned Bun and runs nothing else. */
function checkDockerfile(): string[] {
  const problems: string[] = [];
  const pkg = JSON.parse(readFileSync(resolve(ROOT, 'package.json'), 'utf8')) as { packageManager?: string; patchedDependencies?: Record<string, string> };
  const bunVersion = pkg.packageManager?.replace(/^bun@/, '');
  const dockerfile = existsSync(resolve(ROOT, 'Dockerfile')) ? readFileSync(resolve(ROOT, 'Dockerfile'), 'utf8') : '';
  const froms = [...dockerfile.matchAll(/^FROM\s+(\S+)/gim)].map((m) => m[1]!);
  if (froms.length === 0) problems.push('Dockerfile: no FROM');
  for (const from of froms) {
    if (from.startsWith('oven/bun') && from !== `oven/bun:${bunVersion}`) problems.push(`Dockerfile: FROM ${from}, package.json pins bun@${bunVersion}`);
    const tag = from.split('/').pop()!.split(':')[1];
    if (!tag || tag === 'latest') problems.push(`Dockerfile: FROM ${from} is not pinned to a version`);
  }
  if (!froms.some((f) => f.startsWith('oven/bun'))) problems.push('Dockerfile: no oven/bun stage to compile the binary with');
  if (!/bun install --frozen-lockfile/.test(dockerfile)) problems.push('Dockerfile: want bun install --frozen-lockfile');
  if (!/services\/all-in-one[^\n]*bun run compile/.test(dockerfile)) problems.push('Dockerfile: want the all-in-one compile script (cd services/all-in-one && bun run compile)');
  // bun install applies package.json "patchedDependencies": the patch files must be in the install layer.
  const patched = Object.values(pkg.patchedDependencies ?? {});
  if (patched.length && !/cp[^\n]*\bpatches\b[^\n]*\/manifests/.test(dockerfile)) problems.push('Dockerfile: the manifests stage must copy patches/ (package.json patchedDependencies)');
  for (const f of patched) if (!existsSync(resolve(ROOT, f))) problems.push(`package.json patchedDependencies: ${f} is missing`);
  // The last stage: the binary alone, started as the entry point.
  const last = dockerfile.slice(dockerfile.lastIndexOf('\nFROM '));
  if (/^FROM\s+oven\/bun/m.test(last)) problems.push('Dockerfile: the runtime stage should hold the binary alone, not the Bun image');
  if (!/COPY --from=\S+ \S*dist\/syncroboard /.test(last)) problems.push('Dockerfile: the runtime stage should copy dist/syncroboard from the build stage');
  if (!/ENTRYPOINT \["syncroboard"\]/.test(last)) problems.push('Dockerfile: want ENTRYPOINT ["syncroboard"]');
  if (!/^USER\s+(?!root|0\b)\S+/m.test(last)) problems.push('Dockerfile: the runtime stage should run unprivileged (USER)');
  return problems;
}

if (import.meta.main) {
  const file = resolve(process.argv[2] ?? resolve(ROOT, 'compose.yaml'));
  const problems = checkCompose(file);
  for (const p of problems) console.error(`[compose] ${p}`);
  if (problems.length > 0) process.exit(1);
  console.error(`[compose] structure ok: ${file}`);
}
