/**
 * @module The environment of each binary instance in compose.yaml, against the settings the code
 * reads: no name that no role reads (a typo runs on a default silently), every instance on the
 * compose servers (a missing one would run embedded inside that container alone), and what each
 * role needs to find the others: the issuer and JWKS of the one auth instance, the tickets
 * instance, the one origin of the proxy.
 */
import { AssignmentConfig } from '@syncro/assignment';
import { AuthConfig } from '@syncro/auth';
import { EdgeConfig } from '@syncro/kit/config';
import { NotifyConfig } from '@syncro/notifications';
import { RealtimeConfig } from '@syncro/realtime';
import { TicketConfig } from '@syncro/tickets';
import { AllInOneConfig, ROLES as ALL_ROLES } from '../services/all-in-one/src/index.ts';
import type { ComposeDoc, Service } from './check-compose.ts';

export const ROLES: string[] = [...ALL_ROLES];

const keys = (schema: { entries: Record<string, unknown> }) => Object.keys(schema.entries);
/** What each role reads (the web role of the all-in-one reads nothing: the proxy routes to it). */
const ROLE_SETTINGS: Record<string, string[]> = {
  auth: keys(AuthConfig),
  tickets: keys(TicketConfig),
  assignment: keys(AssignmentConfig),
  notifications: keys(NotifyConfig),
  realtime: keys(RealtimeConfig),
  web: [],
};
/** What the process reads whatever its roles (services/all-in-one/src/settings.ts, the kit's logger). */
const PROCESS_SETTINGS = [
  ...keys(AllInOneConfig),
  ...keys(EdgeConfig),
  'DATABASE_URL', 'KAFKA_BROKERS', 'BUS_DATABASE_URL', 'REDIS_URL', 'UPSTASH_REDIS_REST_URL', 'UPSTASH_REDIS_REST_TOKEN',
  'HOST', 'SYNCROBOARD_DATA', 'LOG_LEVEL', 'KAFKA_TOPIC_PREFIX',
  ...ROLES.flatMap((r) => [`${r.toUpperCase()}_DATABASE_URL`, `${r.toUpperCase()}_KAFKA_GROUP_ID`]),
];
const VERIFIERS = ['tickets', 'assignment', 'notifications', 'realtime'];

interface Helpers {
  envOf: (svc: Service | undefined) => Record<string, string>;
  volumeTargets: (svc: Service) => string[];
}

export function checkInstanceEnv(doc: ComposeDoc, instances: { name: string; roles: string[]; port: number }[], { envOf, volumeTargets }: Helpers): string[] {
  const problems: string[] = [];
  const services = doc.services ?? {};
  const known = new Set([...PROCESS_SETTINGS, ...Object.values(ROLE_SETTINGS).flat()]);
  const auth = instances.find((i) => i.roles.includes('auth'));
  const tickets = instances.find((i) => i.roles.includes('tickets'));
  const authEnv = envOf(services[auth?.name ?? '']);
  const origin = authEnv.PUBLIC_URL;
  const issuer = authEnv.AUTH_ISSUER || origin;
  if (auth && !origin) problems.push(`services.${auth.name}.environment.PUBLIC_URL: want the proxy's origin (the issuer, login callbacks, the setup link)`);

  for (const inst of instances) {
    const env = envOf(services[inst.name]);
    const at = `services.${inst.name}.environment`;
    const want = (key: string, ok: (v: string) => boolean, what: string) => {
      if (env[key] === undefined || !ok(env[key]!)) problems.push(`${at}.${key}: want ${what}, got ${env[key] ?? '(unset)'}`);
    };
    for (const key of Object.keys(env)) if (!known.has(key)) problems.push(`${at}.${key}: no role and not the process reads this setting`);
    // Every part external: anything left out would run embedded, for this container alone.
    want('POSTGRES_URL', (v) => /^postgres:\/\/[^@]+@postgres:5432\/?$/.test(v), 'the compose postgres server (postgres://…@postgres:5432)');
    want('KAFKA_BROKERS', (v) => v === 'redpanda:9092', 'redpanda:9092');
    want('REDIS_URL', (v) => v === 'redis://redis:6379', 'redis://redis:6379');

    if (inst.roles.includes('auth')) {
      want('APP_URL', (v) => !!origin && v.startsWith(origin), `the board on the same origin (${origin}/)`);
      want('TRUST_PROXY', (v) => v === '1', '1 (the proxy in front)');
      for (const k of ['NODE_ENV', 'SIGNING_KEY', 'SERVICE_CLIENTS', 'AUTH_ALLOWED_EMAIL_DOMAINS']) want(k, () => true, `${k} passed through`);
      want('AUTH_KEY_DIR', (v) => volumeTargets(services[inst.name]!).some((t) => v === t || v.startsWith(`${t}/`)), 'a folder on a named volume (the generated key)');
    }
    if (inst.roles.some((r) => VERIFIERS.includes(r))) {
      want('JWKS_URL', (v) => !!auth && v === `http://${auth.name}:${auth.port}/.well-known/jwks.json`, `the auth instance's JWKS (http://${auth?.name}:${auth?.port}/.well-known/jwks.json)`);
      want('AUTH_ISSUER', (v) => v === issuer, `auth's issuer ${issuer}`);
    }
    if (inst.roles.includes('tickets')) want('PUBLIC_URL', (v) => v === origin, `the proxy's origin ${origin} (inbound hook URLs)`);
    if (inst.roles.includes('notifications')) {
      want('PUBLIC_URL', (v) => v === origin, `the proxy's origin ${origin} (unsubscribe links)`);
      want('APP_URL', (v) => !!origin && v.startsWith(origin), `the board on ${origin} (links in messages)`);
      want('SMTP_URL', (v) => v.includes('mailpit:1025') && !!services.mailpit, 'an SMTP server, by default the compose mailpit');
    }
    if (inst.roles.includes('realtime')) {
      want('TICKETS_URL', (v) => !!tickets && v === `http://${tickets.name}:${tickets.port}`, `the tickets instance (http://${tickets?.name}:${tickets?.port})`);
      want('AUTH_URL', (v) => !!auth && v === `http://${auth.name}:${auth.port}`, `the auth instance (http://${auth?.name}:${auth?.port}), for the service credential`);
      for (const k of ['SERVICE_CLIENT_ID', 'SERVICE_CLIENT_SECRET']) want(k, () => true, `${k} passed through (the hub's service credential)`);
    }
  }
  return problems;
}
