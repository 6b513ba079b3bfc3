import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { parseEnvelope } from '@syncro/contracts';
import { InvalidField, NotFound } from '@syncro/kit/errors';
import { newUser } from '@syncro/testing';
import { expectStatus } from '@syncro/testing/typed';
import { startTickets, type Tickets } from '@syncro/tickets/harness';
import { sql } from 'drizzle-orm';
import { addComment } from './commentAdder.ts';

let t: Tickets;
let wakes = 0;
let deps: Parameters<typeof addComment>[0];
beforeAll(async () => {
  t = await startTickets();
  deps = { db: t.service.deps.db, boardCache: t.service.deps.boardCache, wakeRelay: () => wakes++ };
});
afterAll(() => t.stop());

async function written(projectId: string) {
  const [r] = await t.service.deps.db.execute<{ version: string; comments: number; events: number }>(sql`
    select (select version from projects where id = ${projectId}) as version,
           (select count(*)::int from comments c join tickets k on k.id = c.ticket_id where k.project_id = ${projectId}) as comments,
           (select count(*)::int from outbox where partition_key = ${projectId}) as events`);
  return { version: Number(r!.version), comments: r!.comments, events: r!.events };
}

describe('addComment (one statement)', () => {
  test('by id and by code; a reply; ticket.commented carries the ticket, project, version and code', async () => {
    const { typed: api, user, project } = await t.owner('Talker');
    const ticket = expectStatus(await api.projects({ id: project.id }).tickets.post({ title: 'talk' }), 201);
    const before = wakes;
    const first = await addComment(deps, ticket.id, { content: 'first' }, user);
    const reply = await addComment(deps, ticket.code, { content: 'reply', parentId: first.id }, user);
    expect(reply).toMatchObject({ ticketId: ticket.id, parentId: first.id, authorId: user.id, content: 'reply' });
    expect(reply.createdAt.getTime()).toBeGreaterThanOrEqual(first.createdAt.getTime());
    expect(wakes).toBe(before + 2);
    expect(await written(project.id)).toEqual({ version: 4, comments: 2, events: 4 });
    const [row] = await t.service.deps.db.execute<{ payload: Record<string, unknown>; stream_version: string; aggregateid: string }>(
      sql`select payload, stream_version, aggregateid from outbox where type = 'ticket.commented' and payload->>'commentId' = ${reply.id}`,
    );
    expect(parseEnvelope('ticket.commented', row!.payload).issues ?? []).toEqual([]);
    expect(row!.payload).toMatchObject({ ticketId: ticket.id, projectId: project.id, version: 4, code: ticket.code, parentId: first.id, content: 'reply' });
    expect({ v: Number(row!.stream_version), a: row!.aggregateid }).toEqual({ v: 4, a: ticket.id });
  });

  test('a non-member gets NotFound; a parent from another ticket is InvalidField; nothing written either way', async () => {
    const { typed: api, user, project } = await t.owner('Guard');
    const one = expectStatus(await api.projects({ id: project.id }).tickets.post({ title: 'one' }), 201);
    const two = expectStatus(await api.projects({ id: project.id }).tickets.post({ title: 'two' }), 201);
    const onTwo = await addComment(deps, two.id, { content: 'on two' }, user);
    const before = { state: await written(project.id), wakes };
    await expect(addComment(deps, one.id, { content: 'x' }, newUser('Outsider'))).rejects.toBeInstanceOf(NotFound);
    await expect(addComment(deps, crypto.randomUUID(), { content: 'x' }, user)).rejects.toBeInstanceOf(NotFound);
    await expect(addComment(deps, one.id, { content: 'x', parentId: onTwo.id }, user)).rejects.toBeInstanceOf(InvalidField);
    expect({ state: await written(project.id), wakes }).toEqual(before);
  });

  test('the cached board is invalidated', async () => {
    const { typed: api, user, project } = await t.owner('Board');
    const ticket = expectStatus(await api.projects({ id: project.id }).tickets.post({ title: 'b' }), 201);
    await deps.boardCache.write(project.id, { version: 2, members: [user.id], body: '{}' });
    await addComment(deps, ticket.id, { content: 'c' }, user);
    expect(await deps.boardCache.read(project.id)).toBeNull();
  });
});
