/**
 * @module `POST /hooks/:integrationId`: no login, the signature is the authentication. The body is
 * read raw (the signature covers its bytes; HOOKS_PATH is a rawBodyPaths prefix) and capped at 1 MiB.
 */
import { HttpError } from '@syncro/kit/http';
import { inProcessRateLimiter } from '@syncro/kit/ratelimit';
import { Elysia } from 'elysia';
import type { TicketDeps } from '../context.ts';
import { ErrorView } from '../responses.schema.ts';
import { receiveHook } from './hookReceiver.ts';
import { HookAnswerView, HookParams } from './integrations.schema.ts';

export const HOOKS_PATH = '/hooks/';
export const MAX_HOOK_BYTES = 1024 * 1024;

const tooLarge = () => new HttpError(413, 'PAYLOAD_TOO_LARGE', `Deliveries are at most ${MAX_HOOK_BYTES} bytes`, { maxBytes: MAX_HOOK_BYTES });

/** The body as text, refused past `max` bytes without reading the rest (a chunked body has no length to check first). */
export async function readCapped(request: Request, max = MAX_HOOK_BYTES): Promise<string> {
  const declared = Number(request.headers.get('content-length') ?? NaN);
  if (declared > max) throw tooLarge();
  // Announced and within the limit: the runtime's own read. Chunked: counted as it comes.
  if (Number.isFinite(declared)) return request.text();
  if (!request.body) return '';
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of request.body as unknown as AsyncIterable<Uint8Array>) {
    size += chunk.byteLength;
    if (size > max) throw tooLarge();
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

export const hookRoutes = (deps: TicketDeps) => {
  // Per integration and per process: a noisy sender (or a flood of forged signatures) is slowed
  // before it costs a signature check, and never reaches another integration's allowance.
  const limiter = inProcessRateLimiter({ limit: deps.config.HOOKS_RATE_LIMIT, windowS: 60 });
  return new Elysia({ name: 'tickets.hooks' }).post(
    '/hooks/:integrationId',
    async ({ params, body, request, set }) => {
      const answer = await receiveHook(deps, limiter, params.integrationId, body as string, request.headers);
      set.status = answer.status;
      if (answer.replay) set.headers['idempotent-replayed'] = 'true';
      return answer.body;
    },
    {
      params: HookParams,
      parse: ({ request }) => readCapped(request),
      response: { 200: HookAnswerView, 201: HookAnswerView, 202: HookAnswerView, 400: ErrorView, 401: ErrorView, 404: ErrorView, 413: ErrorView, 422: ErrorView, 429: ErrorView, 503: ErrorView },
      detail: { summary: 'Receive a signed delivery (Standard Webhooks or GitHub); no login', tags: ['integrations'], security: [] },
    },
  );
};
