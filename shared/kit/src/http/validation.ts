/** @module Turns a failed request validation into a 4xx body that names each bad field. */

export interface FieldProblem {
  /** Where the value came from: body, query, params, headers. */
  in: string;
  /** Dotted path to the field, `''` for the whole value. */
  field: string;
  message: string;
}

type Issue = { message: string; path?: ReadonlyArray<PropertyKey | { key: PropertyKey }> };
type StandardLike = { '~standard': { validate(value: unknown): unknown } };

const isStandard = (x: unknown): x is StandardLike =>
  typeof x === 'object' && x !== null && '~standard' in x;

function pathOf(issue: Issue): string {
  return (issue.path ?? []).map((p) => String(typeof p === 'object' && p !== null && 'key' in p ? p.key : p)).join('.');
}

/**
 * Elysia's own summary flattens Standard Schema paths into "[object Object]", so the issues are
 * taken again from the schema itself: it is cheap (only on the error path) and exact.
 */
export function fieldProblems(error: { type: string; validator: unknown; value: unknown; message: string }): FieldProblem[] {
  if (error.type === 'body' && (error.value === undefined || error.value === null || error.value === '')) {
    return [{ in: 'body', field: '', message: 'a JSON object body is required' }];
  }
  const candidates = [error.validator, (error.validator as { schema?: unknown } | undefined)?.schema];
  const schema = candidates.find(isStandard);
  if (schema) {
    const result = schema['~standard'].validate(error.value) as { issues?: Issue[] } | Promise<unknown>;
    if (!(result instanceof Promise) && result.issues?.length) {
      return result.issues.map((issue) => ({ in: error.type, field: pathOf(issue), message: issue.message }));
    }
  }
  return [{ in: error.type, field: '', message: 'is invalid' }];
}

export function describeProblems(problems: FieldProblem[]): string {
  return problems
    .map((p) => (p.field ? `${p.in}.${p.field}: ${p.message}` : `${p.in}: ${p.message}`))
    .join('; ');
}
