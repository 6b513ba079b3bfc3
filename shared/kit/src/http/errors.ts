/** @module The one error model: `{ error: { code, message, details? } }` with its HTTP status. */

export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = 'HttpError';
  }
}

export const badRequest = (message: string, details?: unknown) => new HttpError(400, 'BAD_REQUEST', message, details);
export const unauthorized = (message = 'A valid access token is required') => new HttpError(401, 'UNAUTHORIZED', message);
export const forbidden = (message: string) => new HttpError(403, 'FORBIDDEN', message);
export const notFound = (what: string) => new HttpError(404, 'NOT_FOUND', `${what} was not found`);
export const conflict = (code: string, message: string, details?: unknown) => new HttpError(409, code, message, details);
/** A body field that is well-formed but refers to something it may not (a non-member, a foreign comment). */
export const invalidField = (field: string, message: string) =>
  new HttpError(422, 'VALIDATION_FAILED', `body.${field}: ${message}`, [{ in: 'body', field, message }]);
export const preconditionFailed = (message: string, details?: unknown) =>
  new HttpError(412, 'PRECONDITION_FAILED', message, details);

export interface ErrorBody {
  error: { code: string; message: string; details?: unknown };
}

export function errorBody(code: string, message: string, details?: unknown): ErrorBody {
  return { error: details === undefined ? { code, message } : { code, message, details } };
}
