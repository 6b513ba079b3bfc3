/**
 * @module A typed HTTP client for tests: Eden's treaty over a service's Elysia plugin type, so a
 * wrong path, body or field name is a type error. Elysia infers each route's answers from its
 * valibot `response` map (Standard Schema), and Eden turns them into `data` (2xx) and `error`
 * (`{ status, value }` per declared status). `expectStatus()` checks the status and hands back the
 * body declared for it. Tests that send deliberately bad input keep the raw `client()` of http.ts.
 */
import { treaty, type Treaty } from '@elysiajs/eden';
import { expect } from 'bun:test';
import type { Elysia } from 'elysia';

type AnyElysia = Elysia<any, any, any, any, any, any, any>;

/**
 * Spreading `{ 400: X }` into a `response` map turns its key into the string "400" (TypeScript
 * names spread numeric keys that way), and Eden then cannot type the error answers (`error` is
 * `unknown`). Turning such keys back into numbers gives `error: { status: 400, value: X } | …`.
 */
type NumericKeys<R> = { [K in keyof R as K extends `${infer N extends number}` ? N : K]: R[K] };
/**
 * Elysia types a route's `body` and `query` by the schema's OUTPUT (what the handler sees), so a
 * field with a default (`priority`, `labels`, `limit`) would be required of the caller. The client
 * sends the input: such fields are optional there. Names and value types are still checked.
 */
type Sendable<T> = T extends Record<string, unknown> ? Partial<T> : T;
type Normalize<S> = S extends { response: unknown; params: unknown }
  ? { [K in keyof S]: K extends 'response' ? NumericKeys<S[K]> : K extends 'body' | 'query' ? Sendable<S[K]> : S[K] }
  : { [K in keyof S]: Normalize<S[K]> };

/** Eden's client for `App` (e.g. `ReturnType<typeof ticketsPlugin>`), error statuses typed. */
export type TypedClient<App extends AnyElysia> = Treaty.Create<Elysia<any, any, any, any, Normalize<App['~Routes']>, any, any>>;

export function typedClient<App extends AnyElysia>(baseUrl: string, token?: string): TypedClient<App> {
  const client = treaty<App>(baseUrl, {
    // Timestamps stay the ISO strings the schemas declare (Eden would turn them into Dates).
    parseDate: false,
    headers: token ? { authorization: `Bearer ${token}` } : {},
  });
  return client as unknown as TypedClient<App>;
}

/** The error model every 4xx/5xx uses, for a status a route does not declare (e.g. 503). */
export interface ErrorBody {
  error: { code: string; message: string; details?: unknown };
}

/** What an Eden call resolves to, whatever the route. */
interface EdenReply {
  data: unknown;
  error: unknown;
  status: number;
  response: Response;
}

type SuccessCode = 200 | 201 | 202 | 203 | 204 | 205 | 206 | 207 | 208 | 226;
type ErrorAt<E, S> = [Extract<E, { status: S }>] extends [never] ? ErrorBody : Extract<E, { status: S }> extends { value: infer V } ? V : never;
/** The body a route declares for status `S`. */
export type BodyAt<R extends EdenReply, S extends number> = S extends SuccessCode ? Extract<R, { error: null }>['data'] : ErrorAt<NonNullable<R['error']>, S>;

/**
 * Fails unless the answer has `status`; returns its body, typed as the route declares it for that
 * status (a status the route does not declare gets the error model).
 */
export function expectStatus<R extends EdenReply, S extends number>(res: R, status: S): BodyAt<R, S> {
  const body = res.error ? (res.error as { value: unknown }).value : res.data;
  // Matching the pair (not the bare status) puts the body in the failure's diff.
  expect({ status: res.status, body }).toMatchObject({ status });
  return body as BodyAt<R, S>;
}
