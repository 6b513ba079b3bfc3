import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { eventually, newUser } from '@syncro/testing';
import { eq } from 'drizzle-orm';
import { commented } from '../../test/events.ts';
import { randomKey, startNotify, type NotifyHarness } from '../../test/harness.ts';
import { tickets, users } from './projection.model.ts';

let h: NotifyHarness;
beforeAll(async () => {
  h = await startNotify({ env: { ACTOR_WAIT_MS: '1500', WAITING_MAX_AGE_MS: '4000' } });
}, 60_000);
afterAll(() => h?.stop());

describe('events in any order across topics', () => {
  test('user.updated before user.created: the update is applied once the user exists', async () => {
    const u = newUser('Early Update');
    await h.publish('user.updated', { userId: u.id, changes: { name: { from: u.name, to: 'Late Name' } } });
    await Bun.sleep(300);
    await h.publish('user.created', { userId: u.id, email: u.email, name: u.name, locale: 'en' });
    await eventually('the updated name', async () => {
      const [row] = await h.service.deps.db.select().from(users).where(eq(users.id, u.id));
      return row?.name === 'Late Name';
    });
  }, 30_000);

  test('a title change and an assignment before ticket.created: the ticket ends current, and a comment reaches the assignee', async () => {
    const owner = await h.user('Owner Order');
    const ada = await h.user('Ada Order', 'en');
    const projectId = Bun.randomUUIDv7();
    const key = randomKey();
    const ticketId = Bun.randomUUIDv7();
    const code = `${key}-1`;
    const assignedAt = new Date().toISOString();
    await h.publish('ticket.updated', {
      ticketId,
      projectId,
      changes: { title: { from: 'Old', to: 'New title' } },
      updatedBy: owner.id,
      version: 5,
      code,
    });
    await h.publish('ticket.updated', {
      ticketId,
      projectId,
      changes: { assigneeId: { from: null, to: ada.id } },
      updatedBy: null,
      version: 4,
      code,
      assignedAt,
    });
    await Bun.sleep(300);
    await h.publish('project.created', { projectId, key, name: 'Order', userId: owner.id, role: 'owner', version: 1, actorId: owner.id });
    await h.publish('ticket.created', { ticketId, projectId, reporterId: owner.id, title: 'Old', priority: 'LOW', code, status: 'OPEN', labels: [], version: 2 });
    await eventually('the ticket current', async () => {
      const [row] = await h.service.deps.db.select().from(tickets).where(eq(tickets.id, ticketId));
      return row?.title === 'New title' && row.assigneeId === ada.id;
    });
    const board = { projectId, key, ticketId, code, owner, nextVersion: () => 6 };
    await h.publish('ticket.commented', commented(board, owner.id, 'Looks good'));
    const [mail] = await eventually('the comment mail', () => h.mailsTo(ada.email, code)[0] && h.mailsTo(ada.email, code));
    expect(mail!.subject).toBe(`Owner Order commented on ${code}: New title`);
  }, 30_000);

  test('member.added before project.created waits for the project name; an actor never announced becomes "Alguien"', async () => {
    const mel = await h.user('Mel Member');
    const ghost = Bun.randomUUIDv7(); // no user.created will ever come for this owner
    const projectId = Bun.randomUUIDv7();
    const key = randomKey();
    await h.publish('project.member.added', { projectId, key, userId: mel.id, role: 'member', version: 2, actorId: ghost });
    await Bun.sleep(300);
    expect(h.mailsTo(mel.email, key)).toHaveLength(0);
    await h.publish('project.created', { projectId, key, name: 'Fantasma', userId: ghost, role: 'owner', version: 1, actorId: ghost });
    const [mail] = await eventually('the mail once the wait for the actor is over', () => h.mailsTo(mel.email, 'Fantasma')[0] && h.mailsTo(mel.email, 'Fantasma'));
    expect(mail!.subject).toBe('Te han añadido al proyecto Fantasma');
    expect(mail!.text).toContain(`Alguien te ha añadido al proyecto Fantasma (${key}).`);
    await Bun.sleep(800);
    expect(h.mailsTo(mel.email, 'Fantasma')).toHaveLength(1);
    const [waitingLeft] = await h.service.deps.db.$client`select count(*)::int as n from waiting where event ->> 'projectId' = ${projectId}`;
    expect(waitingLeft!.n).toBe(0);
  }, 30_000);

  test('an event whose ticket never comes is dropped after WAITING_MAX_AGE_MS, not kept for ever', async () => {
    const who = await h.user('Wai Ting');
    const ticketId = Bun.randomUUIDv7();
    await h.publish('ticket.assigned', {
      ticketId,
      assigneeId: who.id,
      assignedAt: new Date().toISOString(),
      projectId: Bun.randomUUIDv7(),
      strategy: 'least_loaded',
      previousAssigneeId: null,
    });
    const count = async () => (await h.service.deps.db.$client`select count(*)::int as n from waiting where ${ticketId} = any(needs)`)[0]!.n;
    await eventually('the event waiting', async () => (await count()) === 1);
    expect(await (await fetch(`${h.url}/metrics`)).text()).toMatch(/notification_events_waiting [1-9]/);
    await eventually('the event dropped', async () => (await count()) === 0, 15_000);
  }, 30_000);
});
