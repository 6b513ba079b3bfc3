/** @module What the HTTP kit checks before any route runs, and how it classifies failures after. */
import { timingSafeEqual } from 'node:crypto';

/** A client's `x-request-id` is logged and echoed: only this shape is, else a fresh id replaces it. */
const SAFE_REQUEST_ID = /^[A-Za-z0-9._:-]{1,64}$/;
export const requestIdOf = (request: Request): string => {
  const given = request.headers.get('x-request-id');
  return given !== null && SAFE_REQUEST_ID.test(given) ? given : Bun.randomUUIDv7();
};

/** A body is on its way when its length is announced and non-zero, or it is streamed. */
export const hasBody = (request: Request): boolean => {
  const length = request.headers.get('content-length');
  if (length !== null) return length.trim() !== '0';
  return request.headers.has('transfer-encoding');
};

export const declaredLength = (request: Request): number | undefined => {
  const length = Number(request.headers.get('content-length') ?? NaN);
  return Number.isFinite(length) ? length : undefined;
};

/** The operator's endpoints: Prometheus text and the OpenAPI document. */
export const isOpsPath = (path: string) => path === '/metrics' || path === '/openapi' || path.startsWith('/openapi/');

/** `Authorization: Bearer <token>` compared in constant time. */
export function bearerMatches(request: Request, token: string): boolean {
  const given = /^Bearer (.+)$/i.exec(request.headers.get('authorization') ?? '')?.[1] ?? '';
  const a = new Bun.CryptoHasher('sha256').update(given).digest();
  const b = new Bun.CryptoHasher('sha256').update(token).digest();
  return timingSafeEqual(a, b);
}

/** Postgres refusing a value the request carried: the caller's mistake, not a bug (SQLSTATE class 22). */
const BAD_VALUE_CODES = new Set([
  '22021', // invalid byte sequence (e.g. \u0000 in text)
  '22P02', // invalid text representation (a malformed uuid, a non-number)
  '22007', // invalid datetime format
  '22008', // datetime field overflow (year 0, February 31st)
  '22009', // invalid time zone displacement (an offset past ±15:59, a year past 9999 as JS writes it)
]);

/** The driver's error behind Drizzle's wrapper whose SQLSTATE says the input was bad, if any. */
export function badValueError(err: unknown): { code: string; message: string } | undefined {
  for (let e = err, depth = 0; e && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && BAD_VALUE_CODES.has(code)) return { code, message: (e as Error).message };
  }
  return undefined;
}
