/**
 * @module Any OpenID Connect issuer (Keycloak, Authentik, Dex, …) through arctic's generic
 * OAuth2Client, configured from the issuer's discovery document. Discovery happens on first use and
 * is retried on failure, so the Auth Service starts even while the identity provider is down.
 */
import { Unavailable } from '@syncro/kit/errors';
import { CodeChallengeMethod, OAuth2Client } from 'arctic';
import type { JWTVerifyGetKey } from 'jose';
import * as v from 'valibot';
import type { AuthConfig } from '../config.ts';
import type { LoginProvider } from './loginProvider.ts';
import { exchangeCode, remoteKeys, verifyIdToken } from './provider.ts';

const Discovery = v.object({
  issuer: v.string(),
  authorization_endpoint: v.pipe(v.string(), v.url()),
  token_endpoint: v.pipe(v.string(), v.url()),
  jwks_uri: v.pipe(v.string(), v.url()),
});

interface Discovered {
  doc: v.InferOutput<typeof Discovery>;
  jwks: JWTVerifyGetKey;
}

export function oidcProvider(config: AuthConfig, redirectUri: string): LoginProvider {
  const issuer = config.OIDC_ISSUER!.replace(/\/$/, '');
  const client = new OAuth2Client(config.OIDC_CLIENT_ID!, config.OIDC_CLIENT_SECRET ?? null, redirectUri);
  const scopes = config.OIDC_SCOPES.split(/\s+/).filter(Boolean);
  let discovered: Promise<Discovered> | null = null;

  const discover = () =>
    (discovered ??= (async () => {
      const url = `${issuer}/.well-known/openid-configuration`;
      const res = await fetch(url, { signal: AbortSignal.timeout(5000) });
      if (!res.ok) throw new Error(`${url} answered ${res.status}`);
      const doc = v.parse(Discovery, await res.json());
      // OIDC Discovery §4.3: the document must name the issuer it was fetched from.
      if (doc.issuer.replace(/\/$/, '') !== issuer) throw new Error(`discovery names issuer ${doc.issuer}, expected ${issuer}`);
      return { doc, jwks: remoteKeys(doc.jwks_uri) };
    })().catch((err: Error) => {
      discovered = null;
      throw new Unavailable(`The OIDC issuer ${issuer} could not be discovered: ${err.message}`, 'PROVIDER_UNAVAILABLE', true);
    }));

  return {
    id: 'oidc',
    name: config.OIDC_NAME,
    async authorizationUrl(state, codeVerifier, nonce) {
      const { doc } = await discover();
      const url = client.createAuthorizationURLWithPKCE(doc.authorization_endpoint, state, CodeChallengeMethod.S256, codeVerifier, scopes);
      url.searchParams.set('nonce', nonce);
      return url;
    },
    async identify(code, codeVerifier, nonce) {
      const { doc, jwks } = await discover();
      const idToken = await exchangeCode(() => client.validateAuthorizationCode(doc.token_endpoint, code, codeVerifier));
      return verifyIdToken(idToken, { provider: 'oidc', jwks, issuer: doc.issuer, clientId: config.OIDC_CLIENT_ID!, nonce });
    },
  };
}
