/**
 * @module The one JSON body reader of the APIs: a size cap that also holds for streamed (chunked)
 * bodies, a nesting limit measured before `JSON.parse`, and no text Postgres cannot store.
 */
import { HttpError } from './errors.ts';
import { describeProblems, type FieldProblem } from './validation.ts';

export interface BodyLimits {
  /** Bytes; a larger body is a JSON 413 (Bun's own limit sits above it as a backstop). */
  maxBytes: number;
  /** Arrays and objects inside each other; deeper is a 400 before anything recurses over it. */
  maxDepth: number;
}

export const DEFAULT_BODY_LIMITS: BodyLimits = { maxBytes: 1024 * 1024, maxDepth: 64 };

export const tooLarge = (maxBytes: number) =>
  new HttpError(413, 'PAYLOAD_TOO_LARGE', `The request body is larger than the limit of ${maxBytes} bytes`, { limitBytes: maxBytes });

/** `application/json`, with or without parameters (`; charset=utf-8`), in any letter case. */
export const isJsonMediaType = (contentType: string | null) =>
  contentType !== null && contentType.split(';', 1)[0]!.trim().toLowerCase() === 'application/json';

async function readCapped(request: Request, maxBytes: number): Promise<string> {
  if (!request.body) return '';
  const chunks: Uint8Array[] = [];
  let size = 0;
  const reader = request.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel().catch(() => {});
      throw tooLarge(maxBytes);
    }
    chunks.push(value);
  }
  return new TextDecoder().decode(Buffer.concat(chunks));
}

/** The deepest nesting of `text`, counted without parsing (strings skipped), stopping past `limit`. */
export function nestingDepth(text: string, limit: number): number {
  let depth = 0;
  let deepest = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 92) i++; // backslash: skip the escaped character
      else if (c === 34) inString = false;
    } else if (c === 34) inString = true;
    else if (c === 123 || c === 91) {
      if (++depth > deepest && (deepest = depth) > limit) return deepest;
    } else if (c === 125 || c === 93) depth--;
  }
  return deepest;
}

/**
 * Strings Postgres refuses (`\u0000`: SQLSTATE 22021) or cannot encode (a lone surrogate), found in
 * any value or key, with the dotted path of the field that holds them.
 */
export function badTextProblems(value: unknown): FieldProblem[] {
  const problems: FieldProblem[] = [];
  const check = (s: string, at: string[], what: string) => {
    if (s.includes('\u0000')) problems.push({ in: 'body', field: at.join('.'), message: `${what} the NUL character (\\u0000)` });
    else if (!s.isWellFormed()) problems.push({ in: 'body', field: at.join('.'), message: `${what} a lone surrogate (invalid Unicode)` });
  };
  const walk = (v: unknown, at: string[]) => {
    if (typeof v === 'string') check(v, at, 'must not contain');
    else if (Array.isArray(v)) v.forEach((x, i) => walk(x, [...at, String(i)]));
    else if (v !== null && typeof v === 'object') {
      for (const [k, x] of Object.entries(v)) {
        check(k, [...at, k], 'its name must not contain');
        walk(x, [...at, k]);
      }
    }
  };
  walk(value, []);
  return problems;
}

/**
 * Reads and parses a JSON body under `limits`. Throws `HttpError`s in the error model: 413 too
 * large, 400 malformed or too deep, 422 text that no field may hold.
 */
export async function readJsonBody(request: Request, limits: BodyLimits): Promise<unknown> {
  const text = await readCapped(request, limits.maxBytes);
  if (text.trim() === '') return undefined; // no body: the route's schema says whether one is required
  if (nestingDepth(text, limits.maxDepth) > limits.maxDepth) {
    throw new HttpError(400, 'MALFORMED_BODY', `The request body nests arrays and objects deeper than the limit of ${limits.maxDepth}`, {
      maxDepth: limits.maxDepth,
    });
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new HttpError(400, 'MALFORMED_BODY', 'The request body is not valid JSON');
  }
  const problems = badTextProblems(value);
  if (problems.length) {
    throw new HttpError(422, 'VALIDATION_FAILED', describeProblems(problems), problems);
  }
  return value;
}
