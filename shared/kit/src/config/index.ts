/** @module Twelve-factor configuration: the environment is parsed once, and every bad variable is named. */
import * as v from 'valibot';

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

type Env = Record<string, string | undefined>;

/**
 * Parses `env` with an object schema whose keys are variable names. Empty strings count as unset,
 * so `FOO=` in a .env file falls back to the default instead of failing a URL check.
 */
export function loadConfig<S extends v.ObjectSchema<v.ObjectEntries, undefined>>(
  schema: S,
  env: Env = process.env,
): v.InferOutput<S> {
  const input: Env = {};
  for (const key of Object.keys(schema.entries)) {
    const value = env[key];
    if (value !== undefined && value !== '') input[key] = value;
  }
  const result = v.safeParse(schema, input);
  if (result.success) return result.output;
  // One line per variable: a bad number also fails its range checks, which would only add noise.
  const byName = new Map<string, string>();
  for (const issue of result.issues) {
    const name = issue.path?.map((p) => String(p.key)).join('.') ?? '(config)';
    if (byName.has(name)) continue;
    const shown = input[name] === undefined ? 'is missing' : `= ${JSON.stringify(input[name])} is invalid`;
    byName.set(name, `${name} ${shown}: ${issue.message}`);
  }
  throw new ConfigError([...byName.values()]);
}

/** Reusable variable shapes. */
export const env = {
  url: (fallback?: string) =>
    fallback === undefined ? v.pipe(v.string(), v.url()) : v.optional(v.pipe(v.string(), v.url()), fallback),
  port: (fallback: number) =>
    v.optional(
      v.pipe(v.string(), v.transform(Number), v.integer('must be a whole number'), v.minValue(0), v.maxValue(65535)),
      String(fallback),
    ),
  number: (fallback: number) =>
    v.optional(v.pipe(v.string(), v.transform(Number), v.number('must be a number'), v.minValue(0)), String(fallback)),
  list: (fallback: string) =>
    v.optional(
      v.pipe(
        v.string(),
        v.transform((s) => s.split(',').map((x) => x.trim()).filter(Boolean)),
        v.minLength(1, 'needs at least one entry'),
      ),
      fallback,
    ),
  string: (fallback?: string) => (fallback === undefined ? v.pipe(v.string(), v.minLength(1)) : v.optional(v.string(), fallback)),
};

/**
 * The edge settings every service's `serve()` reads (DESIGN § Configuration): for deployments that
 * face the internet, `METRICS_TOKEN` puts `/metrics` and `/openapi` behind a bearer token and
 * `INTERNAL_PORT` moves them to a second listener. Unset, they stay open on the service's port.
 */
export const EdgeConfig = v.object({
  METRICS_TOKEN: v.optional(v.pipe(v.string(), v.minLength(16, 'must be at least 16 characters'))),
  INTERNAL_PORT: v.optional(
    v.pipe(v.string(), v.transform(Number), v.integer('must be a whole number'), v.minValue(0), v.maxValue(65535)),
  ),
});
export type EdgeConfig = v.InferOutput<typeof EdgeConfig>;
export const loadEdgeConfig = (from: Env = process.env): EdgeConfig => loadConfig(EdgeConfig, from);
