/** @module Who a login provider vouches for: a leaf, so providers, sign-in and the service context can all name it without importing each other. */

export interface VerifiedIdentity {
  provider: string;
  /** The provider's stable id for the person (`sub` of the ID token). */
  subject: string;
  /** Only ever a verified address: providers refuse unverified ones before this point. */
  email: string;
  name: string;
  picture?: string | null;
  locale?: string | null;
}
