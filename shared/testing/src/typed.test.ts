/**
 * The typed client over a small real Elysia app: answers typed per status from valibot response
 * maps, including error statuses spread in from a shared object (TypeScript turns their keys into
 * strings; without the normalization Eden types those errors as `unknown`), input-side request
 * bodies, and expectStatus's check. The `@ts-expect-error` lines are part of the test: tsc fails
 * if the types stop refusing them.
 */
import { afterAll, expect, test } from 'bun:test';
import { Elysia } from 'elysia';
import * as v from 'valibot';
import { expectStatus, typedClient } from './typed.ts';

const Teapot = v.object({ teapot: v.literal(true) });
const shared = { 418: Teapot } as const;
const Thing = v.object({ id: v.string(), size: v.number() });

const app = new Elysia()
  .post('/things', ({ body, set }) => ((set.status = body.size > 9 ? 418 : 201), body.size > 9 ? { teapot: true as const } : { id: 'a', size: body.size }), {
    body: v.object({ size: v.optional(v.number(), 1) }),
    response: { 201: Thing, ...shared },
  })
  .get('/things/:id', ({ params, headers }) => ({ id: params.id, size: headers.authorization ? 2 : 0 }), { response: { 200: Thing } })
  .listen(0);
afterAll(() => app.stop());
const api = typedClient<typeof app>(`http://127.0.0.1:${app.server!.port}`, 'tok');

test('a success body is typed by its status; the token is sent', async () => {
  const thing = expectStatus(await api.things({ id: 'x' }).get(), 200);
  expect(thing).toEqual({ id: 'x', size: 2 });
  // @ts-expect-error not a field of Thing
  thing.colour;
});

test('a defaulted body field is optional to send; a spread-in error status has its own type', async () => {
  expect(expectStatus(await api.things.post({}), 201).size).toBe(1);
  const refused = expectStatus(await api.things.post({ size: 10 }), 418);
  expect(refused.teapot).toBe(true);
  // @ts-expect-error a 418 is a Teapot, not a Thing
  refused.id;
  // @ts-expect-error size is a number
  await api.things.post({ size: 'big' });
});

test('expectStatus fails on another status and shows the body', async () => {
  const res = await api.things.post({ size: 10 });
  expect(() => expectStatus(res, 201)).toThrow(/teapot/);
});
