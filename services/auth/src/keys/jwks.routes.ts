/** @module The public keys every other service verifies with, and a minimal discovery document. */
import { Elysia } from 'elysia';
import type { AuthDeps } from '../context.ts';
import { DiscoveryBody, JwksBody } from '../responses.schema.ts';

export const jwksRoutes = (deps: AuthDeps) =>
  new Elysia({ name: 'auth.jwks' })
    .get(
      '/.well-known/jwks.json',
      // Short caching: verifiers refetch on an unknown kid anyway, so a rotation is seen at once.
      () => Response.json(deps.keys.jwks(), { headers: { 'cache-control': 'public, max-age=300' } }),
      { response: { 200: JwksBody }, detail: { summary: 'The JSON Web Key Set: the current signing key and, during a rotation, the previous ones', tags: ['auth'] } },
    )
    .get(
      '/.well-known/openid-configuration',
      () => ({
        issuer: deps.config.AUTH_ISSUER,
        jwks_uri: new URL('/.well-known/jwks.json', deps.config.PUBLIC_URL).toString(),
        id_token_signing_alg_values_supported: ['ES256'],
      }),
      { response: { 200: DiscoveryBody }, detail: { summary: 'Where the keys are, for verifiers that discover them', tags: ['auth'] } },
    );
