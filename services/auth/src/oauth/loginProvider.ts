/** @module The login provider port (Google, generic OIDC): its own module so the service context can name it without importing an adapter. */
import type { VerifiedIdentity } from '../users/identity.ts';

export interface LoginProvider {
  id: 'google' | 'oidc';
  /** The button label. */
  name: string;
  /** `nonce` goes into the request and must come back inside the ID token (OIDC Core §3.1.2.1). */
  authorizationUrl(state: string, codeVerifier: string, nonce: string): Promise<URL>;
  identify(code: string, codeVerifier: string, nonce: string): Promise<VerifiedIdentity>;
}
