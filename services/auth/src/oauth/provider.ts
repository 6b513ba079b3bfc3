/**
 * @module A login provider: builds the authorization URL (state + PKCE S256) and turns the callback's
 * code into a verified identity. The code exchange is arctic's; the ID token is verified here with
 * jose against the provider's JWKS (signature, issuer, audience, expiry) and must carry a verified email.
 */
import { BadInput, Unauthenticated, Unavailable } from '@syncro/kit/errors';
import { ArcticFetchError, OAuth2RequestError, type OAuth2Tokens } from 'arctic';
import { createRemoteJWKSet, errors, jwtVerify, type JWTVerifyGetKey } from 'jose';
import * as v from 'valibot';
import type { VerifiedIdentity } from '../users/identity.ts';
import type { LoginProvider } from './loginProvider.ts';

const IdTokenClaims = v.object({
  sub: v.pipe(v.string(), v.minLength(1)),
  email: v.pipe(v.string(), v.email('the ID token has no valid email')),
  email_verified: v.literal(true, 'the provider has not verified this email address'),
  name: v.optional(v.string()),
  given_name: v.optional(v.string()),
  preferred_username: v.optional(v.string()),
  picture: v.optional(v.string()),
  locale: v.optional(v.string()),
  nonce: v.optional(v.string()),
});

export interface IdTokenRules {
  provider: LoginProvider['id'];
  jwks: JWTVerifyGetKey;
  issuer: string | string[];
  clientId: string;
  /** The nonce this browser's login sent: an ID token minted for another login is refused. */
  nonce: string;
}

export const remoteKeys = (url: string) => createRemoteJWKSet(new URL(url), { timeoutDuration: 5000 });

/** Arctic's token request, with its failures mapped: a refused code is the caller's 400, an unreachable provider our 502. */
export async function exchangeCode(exchange: () => Promise<OAuth2Tokens>): Promise<string> {
  let tokens: OAuth2Tokens;
  try {
    tokens = await exchange();
  } catch (err) {
    if (err instanceof OAuth2RequestError) {
      throw new BadInput(`The provider refused the authorization code: ${err.code}${err.description ? ` (${err.description})` : ''}`, 'OAUTH_CODE_REJECTED');
    }
    const cause = err instanceof ArcticFetchError ? (err.cause as Error)?.message : (err as Error).message;
    throw new Unavailable(`The login provider could not be reached: ${cause}`, 'PROVIDER_UNAVAILABLE', true);
  }
  try {
    return tokens.idToken();
  } catch {
    throw new Unavailable('The provider answered without an ID token (is the "openid" scope allowed?)', 'PROVIDER_NO_ID_TOKEN', true);
  }
}

export async function verifyIdToken(idToken: string, rules: IdTokenRules): Promise<VerifiedIdentity> {
  let payload: unknown;
  try {
    ({ payload } = await jwtVerify(idToken, rules.jwks, { issuer: rules.issuer, audience: rules.clientId, algorithms: ['RS256', 'ES256', 'PS256', 'EdDSA'] }));
  } catch (err) {
    if (err instanceof errors.JWKSTimeout || err instanceof errors.JWKSInvalid) {
      throw new Unavailable(`The provider's signing keys could not be fetched: ${err.message}`, 'PROVIDER_UNAVAILABLE', true);
    }
    throw new Unauthenticated(`The provider's ID token was refused: ${(err as Error).message}`, 'ID_TOKEN_INVALID');
  }
  const claims = v.safeParse(IdTokenClaims, payload);
  if (!claims.success) throw new Unauthenticated(`The provider's ID token was refused: ${claims.issues[0].message}`, 'ID_TOKEN_INVALID');
  const c = claims.output;
  if (c.nonce !== rules.nonce) throw new Unauthenticated("The provider's ID token was refused: its nonce is not this login's", 'ID_TOKEN_INVALID');
  return {
    provider: rules.provider,
    subject: c.sub,
    email: c.email,
    name: c.name ?? c.given_name ?? c.preferred_username ?? c.email.split('@')[0]!,
    picture: c.picture ?? null,
    locale: c.locale ?? null,
  };
}
