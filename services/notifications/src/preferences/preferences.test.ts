import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { eventually } from '@syncro/testing';
import { eq } from 'drizzle-orm';
import { assigned } from '../../test/events.ts';
import { users } from '../projection/projection.model.ts';
import { startNotify, type NotifyHarness } from '../../test/harness.ts';

let h: NotifyHarness;
beforeAll(async () => {
  h = await startNotify();
}, 60_000);
afterAll(() => h?.stop());

const rowsOf = async (user: Parameters<NotifyHarness['deliveries']>[0], kind: string, n = 3) =>
  eventually(`${n} ${kind} rows`, async () => {
    const rows = (await h.deliveries(user)).filter((d) => d.kind === kind);
    return rows.length === n && rows;
  });
const summary = (rows: any[]) => Object.fromEntries(rows.map((d) => [d.channel, d.status === 'skipped' ? `skipped: ${d.reason}` : d.status]));

describe('preferences decide the channels', () => {
  test('status changes are in-app only by default, to the reporter and the assignee but not the one who moved it', async () => {
    const owner = await h.user('Sara Status');
    const tom = await h.user('Tom Status');
    const b = await h.board([owner, tom]);
    await h.publish('ticket.assigned', assigned(b, tom.id, owner.id));
    await rowsOf(tom, 'assigned');
    await h.publish('ticket.status.updated', {
      ticketId: b.ticketId,
      oldStatus: 'OPEN',
      newStatus: 'IN_PROGRESS',
      updatedBy: tom.id,
      projectId: b.projectId,
      code: b.code,
      version: b.nextVersion(),
    });
    const rows = await rowsOf(owner, 'status_changed');
    expect(summary(rows)).toEqual({ in_app: 'sent', email: 'skipped: preference', push: 'skipped: preference' });
    const feed = (await (await h.as(owner)).get('/notifications')).body.items;
    expect(feed[0]).toMatchObject({ kind: 'status_changed', title: `${b.code} pasó a En curso` });
    await Bun.sleep(500);
    expect((await h.deliveries(tom)).filter((d) => d.kind === 'status_changed')).toHaveLength(0);
  }, 30_000);

  test('global mute, project mute, and a chosen locale over the account one', async () => {
    const owner = await h.user('Owner Prefs');
    const mo = await h.user('Mo Muted');
    const pat = await h.user('Pat Project');
    const lu = await h.user('Lu Locale', 'es');
    const muted = await h.as(mo);
    expect((await muted.put('/notifications/preferences', { muted: true })).body.muted).toBe(true);
    const b = await h.board([owner, mo, pat, lu]);
    // By key once its project.created has arrived (by UUID at any time).
    await eventually('the project known', async () => (await (await h.as(pat)).put(`/notifications/projects/${b.key}/mute`, { muted: true })).status === 200);
    expect((await (await h.as(pat)).get('/notifications/preferences')).body.mutedProjects).toEqual([b.projectId]);
    const english = await (await h.as(lu)).put('/notifications/preferences', { locale: 'en', channels: { member_added: 'none' } });
    expect(english.body).toMatchObject({ locale: 'en', channels: { member_added: [], assigned: ['email', 'in_app'] } });

    for (const u of [mo, pat, lu]) await h.publish('ticket.assigned', assigned(b, u.id, owner.id));
    expect(summary(await rowsOf(mo, 'assigned'))).toEqual({ in_app: 'skipped: muted', email: 'skipped: muted', push: 'skipped: muted' });
    expect(summary(await rowsOf(pat, 'assigned'))).toEqual({ in_app: 'skipped: project muted', email: 'skipped: project muted', push: 'skipped: project muted' });
    const [mail] = await eventually('the English mail', () => h.mailsTo(lu.email, b.code)[0] && h.mailsTo(lu.email, b.code));
    expect(mail!.subject).toBe(`You have been assigned ${b.code}: Arreglar el login`);
    expect(h.mailsTo(mo.email, b.code)).toHaveLength(0);
    expect(h.mailsTo(pat.email, b.code)).toHaveLength(0);

    expect((await (await h.as(pat)).put(`/notifications/projects/${b.projectId}/mute`, { muted: false })).body.mutedProjects).toEqual([]);
  }, 30_000);

  test('user.updated: the next message uses the new name, email and locale', async () => {
    const owner = await h.user('Owner Rename');
    const ren = await h.user('Ren Old', 'en');
    const b = await h.board([owner, ren]);
    const newEmail = `renamed.${ren.id.slice(-8)}@example.test`;
    await h.publish('user.updated', {
      userId: ren.id,
      changes: { name: { from: 'Ren Old', to: 'Ren Nuevo' }, email: { from: ren.email, to: newEmail }, locale: { from: 'en', to: 'es-MX' } },
    });
    await eventually('the projection updated', async () => {
      const [row] = await h.service.deps.db.select().from(users).where(eq(users.id, ren.id));
      return row?.name === 'Ren Nuevo';
    });
    await h.publish('ticket.assigned', assigned(b, ren.id, owner.id));
    const [mail] = await eventually('the mail to the new address', () => h.mailsTo(newEmail, b.code)[0] && h.mailsTo(newEmail, b.code));
    expect(mail!.text).toContain('¡Hola Ren Nuevo!');
    expect(h.mailsTo(ren.email, b.code)).toHaveLength(0);
  }, 30_000);
});
