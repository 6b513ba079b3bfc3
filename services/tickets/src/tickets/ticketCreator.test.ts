import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { EventHeader, SCHEMA_VERSION, parseEnvelope } from '@syncro/contracts';
import { NotFound } from '@syncro/kit/errors';
import { newUser } from '@syncro/testing';
import { startTickets, type Tickets } from '@syncro/tickets/harness';
import { sql } from 'drizzle-orm';
import { createTicket } from './ticketCreator.ts';

let t: Tickets;
let wakes = 0;
let deps: Parameters<typeof createTicket>[0];
beforeAll(async () => {
  t = await startTickets();
  const d = t.service.deps;
  deps = { db: d.db, boardCache: d.boardCache, wakeRelay: () => wakes++ };
});
afterAll(() => t.stop());

const input = { title: 'Fix the login', description: 'it loops', priority: 'HIGH' as const, labels: ['auth', 'bug'] };

async function state(projectId: string) {
  const [p] = await t.service.deps.db.execute<{ version: string; ticket_counter: number }>(
    sql`select version, ticket_counter from projects where id = ${projectId}`,
  );
  const [n] = await t.service.deps.db.execute<{ tickets: number; events: number }>(sql`
    select (select count(*)::int from tickets where project_id = ${projectId}) as tickets,
           (select count(*)::int from outbox where partition_key = ${projectId}) as events`);
  return { version: Number(p!.version), counter: p!.ticket_counter, ...n! };
}

describe('createTicket', () => {
  test('one statement: ticket KEY-n, project version, ticket.created with the same payload and headers as appendToOutbox', async () => {
    const { user, project } = await t.owner('Creator');
    const before = wakes;
    const ticket = await createTicket(deps, project.id, input, user);
    expect(ticket).toMatchObject({ projectId: project.id, number: 1, code: `${project.key}-1`, status: 'OPEN', version: 1, assigneeId: null, reporterId: user.id });
    expect(await state(project.id)).toEqual({ version: 2, counter: 1, tickets: 1, events: 2 });
    expect(wakes).toBe(before + 1);

    const [stored] = await t.service.deps.db.execute<{ code: string; labels: string[]; title: string; priority: string }>(
      sql`select code, labels, title, priority from tickets where id = ${ticket.id}`,
    );
    expect(stored).toEqual({ code: `${project.key}-1`, labels: ['auth', 'bug'], title: input.title, priority: 'HIGH' });

    const [row] = await t.service.deps.db.execute<{ aggregatetype: string; aggregateid: string; partition_key: string; stream_version: string; payload: Record<string, unknown>; headers: Record<string, string> }>(
      sql`select aggregatetype, aggregateid, partition_key, stream_version, payload, headers from outbox where type = 'ticket.created' and aggregateid = ${ticket.id}`,
    );
    expect(row).toMatchObject({ aggregatetype: 'ticket', aggregateid: ticket.id, partition_key: project.id });
    expect(Number(row!.stream_version)).toBe(2);
    expect(parseEnvelope('ticket.created', row!.payload).issues ?? []).toEqual([]);
    expect(row!.payload).toMatchObject({ ticketId: ticket.id, projectId: project.id, reporterId: user.id, code: ticket.code, version: 2, status: 'OPEN', labels: ['auth', 'bug'], title: input.title, priority: 'HIGH' });
    // The other events of the service still go through appendToOutbox: the same headers, same shape.
    const [created] = await t.service.deps.db.execute<{ headers: Record<string, string> }>(
      sql`select headers from outbox where type = 'project.created' and partition_key = ${project.id}`,
    );
    expect(Object.keys(row!.headers).sort()).toEqual(Object.keys(created!.headers).sort());
    expect(row!.headers).toMatchObject({ [EventHeader.id]: row!.payload.eventId, [EventHeader.type]: 'ticket.created', [EventHeader.schemaVersion]: SCHEMA_VERSION });
  });

  test('by key; numbers and versions follow on', async () => {
    const { user, project } = await t.owner('Keyed');
    await createTicket(deps, project.key, input, user);
    const second = await createTicket(deps, project.key, { ...input, labels: [] }, user);
    expect(second).toMatchObject({ number: 2, code: `${project.key}-2`, projectId: project.id, labels: [] });
    expect(await state(project.id)).toEqual({ version: 3, counter: 2, tickets: 2, events: 3 });
  });

  test('a non-member (by id or key) gets NotFound and nothing is written, nothing woken', async () => {
    const { project } = await t.owner('Guarded');
    const outsider = newUser('Outsider');
    const before = { state: await state(project.id), wakes };
    for (const ref of [project.id, project.key]) {
      await expect(createTicket(deps, ref, input, outsider)).rejects.toBeInstanceOf(NotFound);
    }
    await expect(createTicket(deps, crypto.randomUUID(), input, outsider)).rejects.toBeInstanceOf(NotFound);
    expect({ state: await state(project.id), wakes }).toEqual(before);
  });

  test('the board cached before the create is invalidated by it', async () => {
    const { user, project } = await t.owner('Cached');
    const board = t.service.deps.boardCache;
    await board.write(project.id, { version: 1, members: [user.id], body: '{"version":1}' });
    expect((await board.read(project.id))?.version).toBe(1);
    await createTicket(deps, project.id, input, user);
    expect(await board.read(project.id)).toBeNull();
  });
});
