/**
 * @module Google login through arctic's Google provider. Google's endpoints are configuration
 * (defaults are Google's); when they are overridden (tests, an egress proxy) arctic's generic
 * OAuth2Client sends the very same requests to the configured URLs, since the Google class has
 * its endpoints built in.
 */
import { CodeChallengeMethod, Google, OAuth2Client } from 'arctic';
import type { AuthConfig } from '../config.ts';
import type { LoginProvider } from './loginProvider.ts';
import { exchangeCode, remoteKeys, verifyIdToken } from './provider.ts';

export const GOOGLE_SCOPES = ['openid', 'email', 'profile'];
const GOOGLE_DEFAULTS = { auth: 'https://accounts.google.com/o/oauth2/v2/auth', token: 'https://oauth2.googleapis.com/token' };

export function googleProvider(config: AuthConfig, redirectUri: string): LoginProvider {
  const clientId = config.GOOGLE_CLIENT_ID!;
  const custom = config.GOOGLE_AUTHORIZATION_URL !== GOOGLE_DEFAULTS.auth || config.GOOGLE_TOKEN_URL !== GOOGLE_DEFAULTS.token;
  const google = new Google(clientId, config.GOOGLE_CLIENT_SECRET!, redirectUri);
  const generic = new OAuth2Client(clientId, config.GOOGLE_CLIENT_SECRET!, redirectUri);
  const jwks = remoteKeys(config.GOOGLE_JWKS_URL);
  // Google signs ID tokens with either spelling of its issuer.
  const issuer = config.GOOGLE_ISSUER === 'https://accounts.google.com' ? ['https://accounts.google.com', 'accounts.google.com'] : config.GOOGLE_ISSUER;
  return {
    id: 'google',
    name: 'Google',
    async authorizationUrl(state, codeVerifier, nonce) {
      const url = custom
        ? generic.createAuthorizationURLWithPKCE(config.GOOGLE_AUTHORIZATION_URL, state, CodeChallengeMethod.S256, codeVerifier, GOOGLE_SCOPES)
        : google.createAuthorizationURL(state, codeVerifier, GOOGLE_SCOPES);
      url.searchParams.set('nonce', nonce);
      return url;
    },
    async identify(code, codeVerifier, nonce) {
      const idToken = await exchangeCode(() =>
        custom ? generic.validateAuthorizationCode(config.GOOGLE_TOKEN_URL, code, codeVerifier) : google.validateAuthorizationCode(code, codeVerifier),
      );
      return verifyIdToken(idToken, { provider: 'google', jwks, issuer, clientId, nonce });
    },
  };
}
