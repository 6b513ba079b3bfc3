/**
 * @module Service credentials (the Auth Service's client-credentials tokens): ES256 JWTs from the
 * same JWKS as users' tokens, but with the service audience, `sub: service:<client>` and a `scope`.
 * Only routes that name a scope accept them (the event log: `events:read`); every other route keeps
 * the users' guard, whose audience check refuses them.
 */
import { Forbidden } from '@syncro/kit/errors';
import { HttpError } from '@syncro/kit/http';
import { TokenError, credentialFrom } from '@syncro/kit/auth';
import { createRemoteJWKSet, decodeJwt, errors, jwtVerify, type JWTVerifyGetKey } from 'jose';

export interface ServiceCaller {
  /** The client id (`realtime`). */
  service: string;
  scopes: string[];
}

export type ServiceVerifier = (token: string) => Promise<ServiceCaller>;

export interface ServiceVerifierOptions {
  jwksUrl: string;
  issuer: string;
  audience: string;
  /** Injected key resolver (the all-in-one process: auth's key set). */
  keys?: JWTVerifyGetKey;
}

export function createServiceVerifier({ jwksUrl, issuer, audience, keys }: ServiceVerifierOptions): ServiceVerifier {
  const jwks = keys ?? createRemoteJWKSet(new URL(jwksUrl), { timeoutDuration: 3000, cooldownDuration: 5_000 });
  return async (token) => {
    try {
      const { payload } = await jwtVerify(token, jwks, { issuer, audience, algorithms: ['ES256'], requiredClaims: ['exp', 'iat', 'sub'] });
      if (!payload.sub!.startsWith('service:')) throw new TokenError('TOKEN_INVALID', 'Not a service credential');
      const scopes = typeof payload.scope === 'string' ? payload.scope.split(' ').filter(Boolean) : [];
      return { service: payload.sub!.slice('service:'.length), scopes };
    } catch (err) {
      if (err instanceof HttpError) throw err;
      if (err instanceof errors.JWTExpired) throw new TokenError('TOKEN_EXPIRED', 'The service credential has expired');
      if (err instanceof errors.JOSEError) throw new TokenError('TOKEN_INVALID', `The service credential is not valid: ${err.message}`);
      throw new HttpError(503, 'AUTH_UNAVAILABLE', `Cannot verify service credentials right now: ${(err as Error).message}`);
    }
  };
}

/**
 * A Bearer token that claims to be a service's (its unverified `sub`): routed to the service
 * verifier, which then checks everything. Anything else goes to the users' verifier.
 */
export function serviceTokenOf(headers: Headers): string | null {
  const credential = credentialFrom(headers);
  if (credential?.via !== 'bearer') return null;
  try {
    const sub = decodeJwt(credential.token).sub;
    return typeof sub === 'string' && sub.startsWith('service:') ? credential.token : null;
  } catch {
    return null;
  }
}

/** Refuses a service caller without `scope`: 403 naming it. */
export function requireScope(caller: ServiceCaller, scope: string) {
  if (!caller.scopes.includes(scope)) throw new Forbidden(`Service ${caller.service} lacks scope ${scope}`, 'INSUFFICIENT_SCOPE');
}
