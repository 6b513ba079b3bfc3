/**
 * @module The Auth Service: Google and OIDC login, ES256 access tokens and their JWKS, rotating
 * refresh tokens, personal access tokens, and `user.created` through its outbox. It is the only
 * service that signs; the others verify against `/.well-known/jwks.json`.
 */
import { createTokenVerifier, type TokenVerifier } from '@syncro/kit/auth';
import type { EventBus } from '@syncro/kit/bus';
import type { OutboxRelay } from '@syncro/kit/outbox';
import { startBackbone, type RunningService, type ServiceContext } from '@syncro/kit/service';
import { Elysia } from 'elysia';
import { serviceTokenRoutes } from './clients/serviceToken.routes.ts';
import { loadAuthConfig, AuthConfig } from './config.ts';
import type { AuthDeps } from './context.ts';
import { migrationFiles } from './db/migrations.ts';
import * as schema from './db/schema.ts';
import { devLoginRoutes } from './dev/devLogin.routes.ts';
import { inviteRoutes } from './invites/invites.routes.ts';
import { jwksRoutes } from './keys/jwks.routes.ts';
import { createKeyRing, loadKeys, type KeyRing } from './keys/keyRing.ts';
import { googleProvider } from './oauth/google.ts';
import { loginRoutes } from './oauth/login.routes.ts';
import { oidcProvider } from './oauth/oidc.ts';
import type { LoginProvider } from './oauth/loginProvider.ts';
import { patRoutes } from './pats/pats.routes.ts';
import { sessionRoutes } from './sessions/session.routes.ts';
import { createSetupLinks, setupRoutes, type SetupLinks } from './setup/setupLink.ts';
import { userRoutes } from './users/users.routes.ts';

export { loadAuthConfig, AuthConfig };
/** The binary's `keys` command manages the same key store. */
export { generateSigningKey, rotateStoredKey } from './keys/keyRing.ts';
export { newClientSecret } from './clients/serviceClients.ts';

export const authPlugin = (deps: AuthDeps) => {
  const app = new Elysia({ name: 'auth' })
    // Before the routes whose scoped guard expects a Bearer user token: this one authenticates clients itself.
    .use(serviceTokenRoutes(deps))
    .use(jwksRoutes(deps))
    .use(loginRoutes(deps))
    .use(sessionRoutes(deps))
    .use(patRoutes(deps))
    .use(inviteRoutes(deps))
    .use(userRoutes(deps));
  return deps.config.devLogin ? app.use(devLoginRoutes(deps)) : app;
};

export function enabledProviders(config: AuthConfig): Map<string, LoginProvider> {
  const callback = (id: string) => new URL(`/auth/${id}/callback`, config.PUBLIC_URL).toString();
  const providers = new Map<string, LoginProvider>();
  if (config.GOOGLE_CLIENT_ID) providers.set('google', googleProvider(config, callback('google')));
  if (config.OIDC_ISSUER) providers.set('oidc', oidcProvider(config, callback('oidc')));
  return providers;
}

export interface AuthService extends RunningService {
  deps: AuthDeps;
  keys: KeyRing;
  /** Verifies access tokens with the local key set: what the all-in-one process gives the other services. */
  verify: TokenVerifier;
  relay: OutboxRelay;
  bus: EventBus;
  /** One-time owner sign-in while the instance has no user (the self-hosted binary prints it). */
  setup: SetupLinks;
}

export async function start(ctx: ServiceContext, opts: { config?: AuthConfig } = {}): Promise<AuthService> {
  const config = opts.config ?? loadAuthConfig();
  const logger = ctx.logger.child({ svc: 'auth' });
  const stored = await loadKeys(config);
  if (stored.origin === 'dev-store') logger.warn('signing with a generated development key; set SIGNING_KEY in production', { kid: stored.current.kid });
  const keys = await createKeyRing(stored);
  if (config.devLogin) logger.warn('AUTH_DEV_LOGIN=1: POST /auth/dev/login signs anyone in WITHOUT a password. Never enable this in production.');

  const backbone = await startBackbone(ctx, { name: 'auth', config, migrations: migrationFiles, schema });
  const { db, bus, relay } = backbone;

  const verify = createTokenVerifier({ jwksUrl: new URL('/.well-known/jwks.json', config.PUBLIC_URL).toString(), issuer: config.AUTH_ISSUER, audience: config.AUTH_AUDIENCE, keys: keys.resolver });
  const providers = enabledProviders(config);
  logger.info('login providers', { providers: [...providers.keys()], devLogin: config.devLogin });
  if (config.serviceClients.size) logger.info('service clients', { clients: [...config.serviceClients.keys()] });
  const deps: AuthDeps = { db, config, keys, verify, providers, wakeRelay: backbone.wakeRelay, logger, metrics: ctx.metrics };

  const setup = createSetupLinks(deps);
  return {
    name: 'auth',
    plugin: authPlugin(deps).use(setupRoutes(deps, setup)),
    setup,
    deps,
    keys,
    verify,
    relay,
    bus,
    checks: backbone.checks,
    stop: () => backbone.stop(),
  };
}
