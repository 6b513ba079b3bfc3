/**
 * @module The Auth Service's answers as valibot schemas, per status, for the routes' `response`
 * maps: `/openapi` documents them and Elysia checks what handlers return (a `Response` they build
 * themselves, for cookies or cache headers, is sent as it is). They mirror the presenters exactly:
 * Elysia's check also drops keys a schema does not name.
 */
import * as v from 'valibot';

/** The kit's one error model (`{ error: { code, message, details? } }`). */
export const ErrorBody = v.object({
  error: v.object({ code: v.string(), message: v.string(), details: v.optional(v.unknown()) }),
});

const Iso = v.pipe(v.string(), v.isoTimestamp());

export const UserBody = v.object({
  id: v.pipe(v.string(), v.uuid()),
  email: v.pipe(v.string(), v.email()),
  name: v.string(),
  picture: v.nullable(v.string()),
  locale: v.string(),
  createdAt: Iso,
});

const sessionEntries = {
  accessToken: v.string(),
  tokenType: v.literal('Bearer'),
  /** Seconds the access token lives. */
  expiresIn: v.number(),
  /** Only when the refresh token travels in the body (API clients), never beside its cookie. */
  refreshToken: v.optional(v.string()),
  refreshExpiresIn: v.optional(v.number()),
};
export const SessionBody = v.object(sessionEntries);
export const DevLoginBody = v.object({ user: UserBody, created: v.boolean(), ...sessionEntries });

/** Another user as a member lookup shows them: never their picture, locale or dates. */
export const UserLookupBody = v.object({ id: v.pipe(v.string(), v.uuid()), name: v.string(), email: v.pipe(v.string(), v.email()) });
/** Names only: a list of ids must not turn into a list of addresses. */
export const UserNamesBody = v.object({ users: v.array(v.object({ id: v.pipe(v.string(), v.uuid()), name: v.string() })) });

export const TokenExchangeBody = v.object({ accessToken: v.string(), tokenType: v.literal('Bearer'), expiresIn: v.number() });

export const PatBody = v.object({
  id: v.pipe(v.string(), v.uuid()),
  name: v.string(),
  /** The token's first characters, to tell tokens apart; never the secret. */
  prefix: v.string(),
  createdAt: Iso,
  expiresAt: v.nullable(Iso),
  lastUsedAt: v.nullable(Iso),
  revokedAt: v.nullable(Iso),
});
export const CreatedPatBody = v.object({ ...PatBody.entries, token: v.pipe(v.string(), v.description('The secret: shown in this response only')) });
export const PatListBody = v.object({ tokens: v.array(PatBody) });

export const InviteBody = v.object({
  id: v.pipe(v.string(), v.uuid()),
  maxUses: v.number(),
  uses: v.number(),
  createdAt: Iso,
  expiresAt: Iso,
  revokedAt: v.nullable(Iso),
});
export const CreatedInviteBody = v.object({
  ...InviteBody.entries,
  url: v.pipe(v.string(), v.description('The link to share: the board’s invite page with the token in its fragment')),
  token: v.pipe(v.string(), v.description('The secret: shown in this response only')),
});
export const InviteListBody = v.object({ invites: v.array(InviteBody) });

export const ProvidersBody = v.object({
  providers: v.array(v.object({ id: v.string(), name: v.string(), loginUrl: v.string() })),
  devLogin: v.boolean(),
});

export const JwksBody = v.object({ keys: v.array(v.looseObject({ kty: v.string(), kid: v.string() })) });
export const DiscoveryBody = v.object({ issuer: v.string(), jwks_uri: v.string(), id_token_signing_alg_values_supported: v.array(v.string()) });

/** A 204 or a 302: no body. */
export const NoBody = v.pipe(v.undefined(), v.description('No body'));
