/**
 * @module `POST /auth/oauth/token`: the client-credentials grant for services (the realtime hub reads
 * the Ticket Service's event log with it). The client authenticates with HTTP Basic (RFC 6749
 * § 2.3.1, id and secret form-encoded, then base64) or with `client_id`/`client_secret` in a JSON
 * body; never both. JSON only, no form bodies: the HTTP kit refuses non-JSON bodies on APIs.
 * Answers use RFC 6749's field names (`access_token`, `expires_in`, …) so stock OAuth clients work;
 * errors use the kit's model like every other route.
 */
import { BadInput } from '@syncro/kit/errors';
import { clientAddress, inProcessRateLimiter, takeOrThrow } from '@syncro/kit/ratelimit';
import { Elysia } from 'elysia';
import * as v from 'valibot';
import type { AuthDeps } from '../context.ts';
import { ErrorBody } from '../responses.schema.ts';
import { issueServiceToken } from './serviceTokenIssuer.ts';

const Text = (max: number) => v.pipe(v.string(), v.minLength(1, 'must not be empty'), v.maxLength(max));

const TokenRequestBody = v.strictObject({
  grant_type: Text(100),
  client_id: v.optional(Text(100)),
  client_secret: v.optional(Text(200)),
  scope: v.optional(Text(200)),
});

export const ServiceTokenBody = v.object({
  access_token: v.string(),
  token_type: v.literal('Bearer'),
  expires_in: v.number(),
  scope: v.string(),
});

const decode = (part: string) => {
  try {
    return decodeURIComponent(part.replaceAll('+', ' '));
  } catch {
    throw new BadInput('The Basic credentials are not valid form-encoding', 'INVALID_CLIENT');
  }
};

/** `Authorization: Basic base64(id:secret)`, or null when the header is absent. */
function basicCredentials(header: string | null): { id: string; secret: string } | null {
  if (header === null) return null;
  const [scheme, encoded] = header.split(' ');
  if (scheme?.toLowerCase() !== 'basic' || !encoded) throw new BadInput('The Authorization header must be "Basic base64(client_id:client_secret)"', 'INVALID_CLIENT');
  const text = Buffer.from(encoded, 'base64').toString('utf8');
  const colon = text.indexOf(':');
  if (colon < 1) throw new BadInput('The Basic credentials must be client_id:client_secret', 'INVALID_CLIENT');
  return { id: decode(text.slice(0, colon)), secret: decode(text.slice(colon + 1)) };
}

export const serviceTokenRoutes = (deps: AuthDeps) => {
  const perClient = inProcessRateLimiter({ limit: deps.config.SERVICE_TOKEN_PER_MIN_PER_CLIENT, windowS: 60 });
  const perId = inProcessRateLimiter({ limit: deps.config.SERVICE_TOKEN_PER_MIN_PER_ID, windowS: 60 });
  return new Elysia({ name: 'auth.service-token' }).post(
    '/auth/oauth/token',
    async ({ body, request, server }) => {
      const basic = basicCredentials(request.headers.get('authorization'));
      if (basic && (body.client_id !== undefined || body.client_secret !== undefined)) {
        throw new BadInput('Authenticate the client once: with HTTP Basic or with client_id/client_secret in the body, not both', 'INVALID_REQUEST');
      }
      const clientId = basic?.id ?? body.client_id;
      const clientSecret = basic?.secret ?? body.client_secret;
      if (clientId === undefined || clientSecret === undefined) {
        throw new BadInput('Client credentials are required: HTTP Basic, or client_id and client_secret in the body', 'INVALID_CLIENT');
      }
      await takeOrThrow('token requests', [perClient, clientAddress(request, server, deps.config.trustProxy)], [perId, clientId]);
      const token = await issueServiceToken(deps, { grantType: body.grant_type, clientId, clientSecret, scope: body.scope });
      // RFC 6749 § 5.1: token responses must not be cached.
      return Response.json(token, { headers: { 'cache-control': 'no-store', pragma: 'no-cache' } });
    },
    {
      body: TokenRequestBody,
      response: { 200: ServiceTokenBody, 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 422: ErrorBody, 429: ErrorBody },
      detail: { summary: 'Service credential: OAuth2 client credentials grant (JSON body or HTTP Basic)', tags: ['tokens'] },
    },
  );
};
