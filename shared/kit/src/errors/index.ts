/**
 * @module Domain errors: what a command says went wrong, in the domain's words. Commands throw
 * these and know nothing of HTTP; the HTTP kit's one error handler maps each kind to a status, and
 * the consumer runner treats `NotFound` (and every other refusal) as permanent: retrying cannot fix it.
 */

export abstract class DomainError extends Error {
  constructor(
    /** A stable machine-readable code, e.g. `NOT_FOUND`, `LAST_OWNER`. */
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/** The thing does not exist, or the caller may not know it exists (non-members see the same). */
export class NotFound extends DomainError {
  constructor(what: string) {
    super('NOT_FOUND', `${what} was not found`);
  }
}

/** The request clashes with the current state (a taken key, a transition the workflow refuses). */
export class Conflict extends DomainError {}

/** The caller's copy is stale (`If-Match`). */
export class PreconditionFailed extends DomainError {
  constructor(message: string, details?: unknown) {
    super('PRECONDITION_FAILED', message, details);
  }
}

/** A well-formed field that refers to something it may not (a non-member, a foreign comment). */
export class InvalidField extends DomainError {
  constructor(
    readonly field: string,
    message: string,
    readonly location: 'body' | 'query' | 'params' | 'headers' = 'body',
  ) {
    super('VALIDATION_FAILED', `${location}.${field}: ${message}`, [{ in: location, field, message }]);
  }
}

/** A request that is malformed in a way the schema cannot say (an `If-Match` that is no ETag). */
export class BadInput extends DomainError {
  constructor(message: string, code = 'BAD_REQUEST') {
    super(code, message);
  }
}

/** Known caller, not allowed to do this. */
export class Forbidden extends DomainError {
  constructor(message: string, code = 'FORBIDDEN') {
    super(code, message);
  }
}

/** The caller's credential is missing, invalid or spent. */
export class Unauthenticated extends DomainError {
  constructor(message = 'A valid access token is required', code = 'UNAUTHORIZED') {
    super(code, message);
  }
}

/** Too many attempts: come back after `retryAfterS` seconds. */
export class RateLimited extends DomainError {
  constructor(
    readonly retryAfterS: number,
    message = 'Too many requests; slow down',
  ) {
    super('RATE_LIMITED', message, { retryAfterSeconds: retryAfterS });
  }
}

/** A dependency we need is away (ours: 503; `upstream: true`, someone else's such as a login provider: 502). */
export class Unavailable extends DomainError {
  constructor(
    message: string,
    code = 'UNAVAILABLE',
    readonly upstream = false,
  ) {
    super(code, message);
  }
}

/**
 * Connection-level failures of a dependency (postgres.js codes, socket errors, and Postgres's
 * shutdown/startup SQLSTATEs): the work may well succeed in a moment. Unlike a domain error,
 * retrying is the right answer (the consumer runner waits these out; the HTTP kit answers 503).
 */
const UNAVAILABLE_CODES = new Set([
  'CONNECTION_CLOSED', 'CONNECTION_ENDED', 'CONNECTION_DESTROYED', 'CONNECT_TIMEOUT',
  'ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND',
  '57P01', '57P02', '57P03', '08000', '08001', '08003', '08004', '08006',
]);
export const isUnavailable = (err: unknown): boolean => {
  // Drizzle wraps the driver's error (DrizzleQueryError): look down the `cause` chain.
  for (let e = err, depth = 0; e && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && UNAVAILABLE_CODES.has(code)) return true;
  }
  return false;
};
