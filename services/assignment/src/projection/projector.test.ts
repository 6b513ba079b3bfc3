/**
 * The projection under reordering across topics: an edit (`ticket.updated`) consumed after a later
 * status change (`ticket.status.updated`, another topic) still counts, and a redelivered older edit
 * does not undo a newer one. Handlers run directly against the real projection database.
 */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import type { Envelope } from '@syncro/contracts';
import { expectStatus } from '@syncro/testing/typed';
import { eventually, startLoop, type Loop } from '@syncro/assignment/harness';
import { statusUpdated, ticketUpdated } from './projector.ts';

let loop: Loop;
beforeAll(async () => {
  loop = await startLoop();
}, 60_000);
afterAll(() => loop?.stop());

const envelope = <T extends object>(payload: T) => ({ ...payload, eventId: Bun.randomUUIDv7(), timestamp: new Date().toISOString() });

describe('projection ordering across topics', () => {
  test('an edit consumed after a later status change still changes the load; an older edit redelivered changes nothing', async () => {
    const { project, typedOwner: owner, users } = await loop.team(2, 'Order');
    const ticket = expectStatus(await owner.tickets.projects({ id: project.id }).tickets.post({ title: 'reordered', priority: 'MEDIUM' }), 201);
    const holder = await eventually('assigned', async () => expectStatus(await owner.tickets.tickets({ id: ticket.id }).get(), 200).assigneeId);
    const loadOf = async () =>
      expectStatus(await owner.assign.assignment.projects({ id: project.id }).workload.get(), 200).members.find((m) => m.userId === holder)!.weightedLoad;
    expect(await loadOf()).toBe(2);

    const deps = loop.assignment.deps;
    const base = ticket.version + 100; // later than anything the Ticket Service has sent for this project
    const edit = (version: number, from: string, to: string) =>
      envelope({ ticketId: ticket.id, projectId: project.id, code: ticket.code, changes: { priority: { from, to } }, updatedBy: users[0]!.id, version });
    // The status change (version base + 2) is consumed before the edit it followed (base + 1).
    await statusUpdated(
      deps,
      envelope({ ticketId: ticket.id, projectId: project.id, code: ticket.code, oldStatus: 'OPEN', newStatus: 'IN_PROGRESS', updatedBy: users[0]!.id, version: base + 2 }) as Envelope<'ticket.status.updated'>,
    );
    await ticketUpdated(deps, edit(base + 1, 'MEDIUM', 'URGENT') as Envelope<'ticket.updated'>);
    expect(await loadOf()).toBe(5);
    // A newer edit, then an older one arriving late (another delivery): the newer stands.
    await ticketUpdated(deps, edit(base + 3, 'URGENT', 'LOW') as Envelope<'ticket.updated'>);
    await ticketUpdated(deps, edit(base + 1, 'MEDIUM', 'HIGH') as Envelope<'ticket.updated'>);
    expect(await loadOf()).toBe(1);
  });
});
