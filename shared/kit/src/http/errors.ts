/**
 * @module The one error model: `{ error: { code, message, details? } }` with its HTTP status.
 * Commands throw domain errors (`@syncro/kit/errors`); this is where each kind gets its status.
 * `HttpError` is for the edge only (routes and guards that speak HTTP themselves).
 */
import {
  BadInput, Conflict, DomainError, Forbidden, InvalidField, NotFound, PreconditionFailed, RateLimited, Unauthenticated, Unavailable,
} from '../errors/index.ts';

export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = 'HttpError';
  }
}

export interface ErrorBody {
  error: { code: string; message: string; details?: unknown };
}

export function errorBody(code: string, message: string, details?: unknown): ErrorBody {
  return { error: details === undefined ? { code, message } : { code, message, details } };
}

/** The status and extra headers of a domain error. */
export function httpStatusOf(err: DomainError): { status: number; headers: Record<string, string> } {
  if (err instanceof NotFound) return { status: 404, headers: {} };
  if (err instanceof Conflict) return { status: 409, headers: {} };
  if (err instanceof PreconditionFailed) return { status: 412, headers: {} };
  if (err instanceof InvalidField) return { status: err.location === 'body' ? 422 : 400, headers: {} };
  if (err instanceof BadInput) return { status: 400, headers: {} };
  if (err instanceof Forbidden) return { status: 403, headers: {} };
  if (err instanceof Unauthenticated) return { status: 401, headers: {} };
  if (err instanceof RateLimited) return { status: 429, headers: { 'retry-after': String(Math.max(1, Math.ceil(err.retryAfterS))) } };
  if (err instanceof Unavailable) return err.upstream ? { status: 502, headers: {} } : { status: 503, headers: { 'retry-after': '1' } };
  return { status: 500, headers: {} };
}
