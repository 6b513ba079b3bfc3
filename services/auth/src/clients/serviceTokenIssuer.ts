/**
 * @module The service credential (OAuth2 client credentials, RFC 6749 § 4.4): a configured client
 * proves its secret and gets a short-lived ES256 JWT with `sub: service:<id>`, the service audience
 * (never the users' one, so no user-facing route accepts it) and the scopes it asked for among those
 * it was granted. Nothing is stored: a credential is as good as its expiry.
 */
import { BadInput, Forbidden, Unauthenticated } from '@syncro/kit/errors';
import type { AuthDeps } from '../context.ts';
import { secretMatches, type ServiceScope } from './serviceClients.ts';

export interface ClientCredentialsRequest {
  grantType: string;
  clientId: string;
  clientSecret: string;
  /** Space-separated, RFC 6749 § 3.3; omitted: every scope the client was granted. */
  scope?: string | undefined;
}

export interface ServiceToken {
  access_token: string;
  token_type: 'Bearer';
  expires_in: number;
  scope: string;
}

export async function issueServiceToken(deps: Pick<AuthDeps, 'keys' | 'config'>, req: ClientCredentialsRequest): Promise<ServiceToken> {
  if (req.grantType !== 'client_credentials') {
    throw new BadInput(`grant_type "${req.grantType}" is not supported here; only client_credentials`, 'UNSUPPORTED_GRANT_TYPE');
  }
  const client = deps.config.serviceClients.get(req.clientId);
  // An unknown client and a wrong secret get the same answer: which ids exist is nobody's business.
  if (!client || !secretMatches(client, req.clientSecret)) throw new Unauthenticated('The client id or secret is not valid', 'INVALID_CLIENT');
  const asked = req.scope === undefined ? client.scopes : req.scope.split(' ').filter(Boolean);
  const refused = asked.filter((s) => !(client.scopes as string[]).includes(s));
  if (refused.length) throw new Forbidden(`Client ${client.id} may not have scope ${refused.join(' ')}; it was granted ${client.scopes.join(' ')}`, 'INVALID_SCOPE');
  const scope = (asked as ServiceScope[]).join(' ');
  const ttl = deps.config.SERVICE_TOKEN_TTL_S;
  const accessToken = await deps.keys.sign(
    { scope, client_id: client.id },
    { subject: `service:${client.id}`, issuer: deps.config.AUTH_ISSUER, audience: deps.config.SERVICE_AUDIENCE, ttlSeconds: ttl },
  );
  return { access_token: accessToken, token_type: 'Bearer', expires_in: ttl, scope };
}
