/**
 * @module One-line JSON logs on stdout, so any collector can parse them without configuration.
 * Nothing secret reaches a line: fields named like secrets are redacted at any depth, and errors are
 * serialized without the values a failed query was bound to (see `serializeError`).
 */

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
const order: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export interface Logger {
  debug(msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
  child(fields: Record<string, unknown>): Logger;
}

export interface LoggerOptions {
  /** Where each line goes (without its newline); stdout by default. Tests capture lines here. */
  sink?: (line: string) => void;
}

function threshold(): number {
  const level = (process.env.LOG_LEVEL ?? (process.env.NODE_ENV === 'test' ? 'warn' : 'info')) as LogLevel;
  return order[level] ?? order.info;
}

/** Field names whose values are never logged, wherever they sit in a line. */
export const SECRET_FIELD = /token|secret|password|cookie|authorization|hash|signature|key/i;
export const REDACTED = '[redacted]';

/**
 * Properties that carry the values a query was bound to: drizzle's `params` (also spelled out in its
 * message), postgres.js's `parameters`/`args` (set in debug mode). One line of a failed auth query
 * carried a token hash and prefix this way, so they are dropped from every error, whatever the table.
 */
const BOUND_VALUES = new Set(['params', 'parameters', 'args']);
const MAX_DEPTH = 6;

/** Drizzle's `DrizzleQueryError` (matched by shape: the kit must not depend on which copy of drizzle threw). */
const isFailedQuery = (err: Error): err is Error & { query: string; params: unknown } =>
  typeof (err as { query?: unknown }).query === 'string' && 'params' in err;

/**
 * An error as JSON: name, message, stack, its own fields and its `cause` chain. A failed query keeps
 * its SQL text (placeholders only) but not its parameters; Postgres's `detail` keeps its shape but
 * not the key values it quotes (`Key (token_hash)=(…) already exists`).
 */
export function serializeError(err: Error, depth = 0, seen = new WeakSet<object>()): Record<string, unknown> {
  seen.add(err);
  let message = err.message;
  let stack = err.stack;
  if (isFailedQuery(err)) {
    message = `Failed query: ${err.query} (parameters not logged)`;
    stack = stack?.replace(err.message, message);
  }
  const out: Record<string, unknown> = { name: err.name, message, stack };
  for (const [k, v] of Object.entries(err)) {
    if (k === 'cause' || k === 'message' || k === 'stack' || BOUND_VALUES.has(k)) continue;
    if (k === 'detail' && typeof v === 'string') out.detail = v.replace(/\)=\(.*\)/s, `)=(${REDACTED})`);
    else out[k] = redact(k, v, depth + 1, seen);
  }
  const cause = (err as { cause?: unknown }).cause;
  if (cause !== undefined) out.cause = depth >= MAX_DEPTH ? '[cause chain too deep]' : scrub(cause, depth + 1, seen);
  return out;
}

function redact(key: string, value: unknown, depth: number, seen: WeakSet<object>): unknown {
  return SECRET_FIELD.test(key) && value !== undefined && value !== null ? REDACTED : scrub(value, depth, seen);
}

/** A value made safe to log: errors serialized, secret-named fields redacted, in objects and arrays at any depth. */
export function scrub(value: unknown, depth = 0, seen = new WeakSet<object>()): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (seen.has(value)) return '[circular]';
  if (value instanceof Error) return serializeError(value, depth, seen);
  if (depth >= MAX_DEPTH) return '[too deep]';
  if (Array.isArray(value)) {
    seen.add(value);
    return value.map((v) => scrub(v, depth + 1, seen));
  }
  const proto = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) return value; // Date, URL…: JSON.stringify knows them
  seen.add(value);
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = redact(k, v, depth + 1, seen);
  return out;
}

export function createLogger(base: Record<string, unknown>, options: LoggerOptions = {}): Logger {
  const min = threshold();
  const sink = options.sink ?? ((line: string) => process.stdout.write(line + '\n'));
  const write = (level: LogLevel, msg: string, fields?: Record<string, unknown>) => {
    if (order[level] < min) return;
    sink(JSON.stringify({ time: new Date().toISOString(), level, msg, ...(scrub({ ...base, ...fields }) as Record<string, unknown>) }));
  };
  return {
    debug: (m, f) => write('debug', m, f),
    info: (m, f) => write('info', m, f),
    warn: (m, f) => write('warn', m, f),
    error: (m, f) => write('error', m, f),
    child: (fields) => createLogger({ ...base, ...fields }, options),
  };
}
