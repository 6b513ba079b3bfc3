/** `/openapi` documents what each Ticket Service route answers, per status, from the response schemas. */
import { afterAll, beforeAll, expect, test } from 'bun:test';
import { expectStatus } from '@syncro/testing/typed';
import { startTickets, type Tickets } from '@syncro/tickets/harness';
import type * as v from 'valibot';
import type { ProjectView, TicketView } from './responses.schema.ts';

let t: Tickets;
beforeAll(async () => {
  t = await startTickets();
});
afterAll(() => t.stop());

interface OpenApi {
  paths: Record<string, Record<string, { responses?: Record<string, { content?: { 'application/json'?: { schema?: { properties?: Record<string, unknown> } } } }> }>>;
}

const expected: [string, string, string[], string[]][] = [
  // path, method, statuses, properties of the success body
  ['/projects', 'post', ['201', '409', '401', '422'], ['id', 'key', 'version', 'role']],
  ['/projects', 'get', ['200', '401'], ['projects']],
  ['/projects/{id}', 'get', ['200', '404'], ['id', 'key', 'ticketCount']],
  ['/projects/{id}/members', 'get', ['200', '404'], ['projectId', 'members']],
  ['/projects/{id}/members', 'post', ['201', '403', '409'], ['userId', 'role', 'addedAt']],
  ['/projects/{id}/members/{userId}', 'delete', ['204', '403', '409'], []],
  ['/projects/{id}/tickets', 'post', ['201', '404', '422'], ['id', 'code', 'status', 'assigneeId']],
  ['/tickets/{id}', 'get', ['200', '404'], ['id', 'code', 'version']],
  ['/tickets/{id}', 'patch', ['200', '412', '422'], ['id', 'version']],
  ['/tickets/{id}', 'delete', ['204', '403', '412'], []],
  ['/tickets/{id}/status', 'patch', ['200', '409', '412'], ['status']],
  ['/tickets/{id}/comments', 'post', ['201', '404'], ['id', 'parentId', 'content']],
  ['/tickets/{id}/comments', 'get', ['200', '404'], ['ticketId', 'comments']],
  ['/projects/{id}/board', 'get', ['200', '404'], ['projectId', 'version', 'columns']],
  ['/projects/{id}/events', 'get', ['200', '404'], ['projectId', 'resync', 'hasMore', 'events']],
];

test('every route documents its answers per status', async () => {
  const doc = (await t.anonymous.get<OpenApi>('/openapi')).body;
  for (const [path, method, statuses, properties] of expected) {
    const responses = doc.paths[path]?.[method]?.responses ?? {};
    expect(Object.keys(responses), `${method} ${path}`).toEqual(expect.arrayContaining(statuses));
    const success = responses[statuses[0]!]?.content?.['application/json']?.schema?.properties ?? {};
    expect(Object.keys(success), `${method} ${path} ${statuses[0]}`).toEqual(expect.arrayContaining(properties));
    const error = responses['404'] ?? responses['401'];
    expect(error?.content?.['application/json']?.schema?.properties, `${method} ${path} error model`).toHaveProperty('error');
  }
});

test('answers are what the schemas say (typed client)', async () => {
  const { typed: api, project } = await t.owner();
  // Typed by the routes' own response schemas (Eden over the plugin type), not by a cast here.
  const got: v.InferOutput<typeof ProjectView> = expectStatus(await api.projects({ id: project.id }).get(), 200);
  expect(got.role).toBe('owner');
  const created: v.InferOutput<typeof TicketView> = expectStatus(await api.projects({ id: project.id }).tickets.post({ title: 'typed' }), 201);
  expect(created.status).toBe('OPEN');
  expect(Date.parse(created.createdAt)).not.toBeNaN();
});
