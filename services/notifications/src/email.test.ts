import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { eventually } from '@syncro/testing';
import { startNotify, type NotifyHarness } from '../test/harness.ts';
import { assigned, commented } from '../test/events.ts';
import type { SunkMail } from './dev/mailSink.ts';

let h: NotifyHarness;
beforeAll(async () => {
  h = await startNotify();
}, 60_000);
afterAll(() => h?.stop());

/** A raw header (mailparser folds List-* headers into an object). */
const header = (mail: SunkMail, name: string) => {
  const line = mail.parsed.headerLines.find((l) => l.key === name)?.line;
  return line?.slice(line.indexOf(':') + 1).replace(/\r?\n\s+/g, '').trim();
};

/** Long enough for a second mail to have arrived if one were coming (the sender polls every 200 ms). */
const settle = () => Bun.sleep(1200);

describe('email over real SMTP', () => {
  test('the assignee gets exactly one mail: Spanish subject, greeting, link to the ticket, title escaped, one-click unsubscribe', async () => {
    const owner = await h.user('Olga Dueña');
    const ana = await h.user('Ana Pérez', 'es-ES');
    const b = await h.board([owner, ana], 'Fallo <script>alert(1)</script> & más');
    await h.publish('ticket.assigned', assigned(b, ana.id, owner.id));

    const [mail] = await eventually('the assignment mail', () => h.mailsTo(ana.email, b.code)[0] && h.mailsTo(ana.email, b.code));
    expect(mail!.subject).toBe(`Se te ha asignado el ticket ${b.code}: Fallo <script>alert(1)</script> & más`);
    expect(mail!.text).toContain('¡Hola Ana Pérez!');
    expect(mail!.text).toContain('Asignado por Olga Dueña.');
    expect(mail!.text).toContain(`https://board.example.test/tickets/${b.code}`);
    expect(mail!.html).toContain(`href="https://board.example.test/tickets/${b.code}"`);
    expect(mail!.html).toContain('<html lang="es">');
    expect(mail!.html).toContain('Fallo &lt;script&gt;alert(1)&lt;/script&gt; &amp; más');
    expect(mail!.html).not.toContain('<script>');
    expect(header(mail!, 'list-unsubscribe-post')).toBe('List-Unsubscribe=One-Click');
    expect(header(mail!, 'list-unsubscribe')).toStartWith('<http://127.0.0.1:1/notifications/unsubscribe?token=');

    await settle();
    expect(h.mailsTo(ana.email, b.code)).toHaveLength(1);
    expect(h.mailsTo(owner.email, b.code)).toHaveLength(0);
    const log = await h.deliveries(ana);
    expect(log.filter((d) => d.kind === 'assigned').map((d) => [d.channel, d.status]).sort()).toEqual([
      ['email', 'sent'],
      ['in_app', 'sent'],
      ['push', 'skipped'],
    ]);
    expect(log.find((d) => d.channel === 'email' && d.kind === 'assigned').providerMessageId).toMatch(/@/);
  }, 30_000);

  test('English for an English account; self-assignment sends nothing', async () => {
    const eve = await h.user('Eve Smith', 'en-GB');
    const b = await h.board([eve], 'Crash on save');
    await h.publish('ticket.assigned', assigned(b, eve.id, eve.id));
    const other = await h.board([eve], 'Slow board');
    await h.publish('ticket.assigned', assigned(other, eve.id)); // automatic: no assignedBy

    const [mail] = await eventually('the English mail', () => h.mailsTo(eve.email, other.code)[0] && h.mailsTo(eve.email, other.code));
    expect(mail!.subject).toBe(`You have been assigned ${other.code}: Slow board`);
    expect(mail!.text).toContain('Hi Eve Smith!');
    await settle();
    expect(h.mailsTo(eve.email, b.code)).toHaveLength(0);
  }, 30_000);

  test('a comment reaches the reporter, the assignee, earlier commenters and mentioned members; never its author', async () => {
    const owner = await h.user('Rita Reporter');
    const ana = await h.user('Ana Assignee');
    const carl = await h.user('Carl Commenter', 'en');
    const mia = await h.user('Mia Mentioned', 'en');
    const outsider = await h.user('Otto Outsider');
    const b = await h.board([owner, ana, carl, mia], 'Comentarios');
    await h.publish('ticket.assigned', assigned(b, ana.id));
    await eventually('the assignment mail', () => h.mailsTo(ana.email, b.code).length === 1);

    await h.publish('ticket.commented', commented(b, carl.id, 'First look'));
    await eventually('the first comment mails', () => h.mailsTo(owner.email, 'comentó').length === 1 && h.mailsTo(ana.email, 'comentó').length === 1);
    expect(h.mailsTo(carl.email, b.code)).toHaveLength(0);

    const mention = `${mia.email.split('@')[0]} and @${outsider.email.split('@')[0]}: please check <b>this</b>`;
    await h.publish('ticket.commented', commented(b, ana.id, `@${mention}`));
    await eventually('the second comment mails', () => h.mailsTo(carl.email, 'commented').length === 1 && h.mailsTo(mia.email, 'mentioned').length === 1);
    const [toMia] = h.mailsTo(mia.email, 'mentioned');
    expect(toMia!.subject).toBe(`Ana Assignee mentioned you on ${b.code}: Comentarios`);
    expect(toMia!.html).toContain('&lt;b&gt;this&lt;/b&gt;');
    await settle();
    expect(h.mailsTo(owner.email, 'comentó')).toHaveLength(2);
    // Ana wrote the second comment: she hears of Carl's only.
    expect(h.mailsTo(ana.email, 'comentó').map((m) => m.subject)).toEqual([`Carl Commenter comentó en ${b.code}: Comentarios`]);
    expect(h.mailsTo(carl.email, b.code)).toHaveLength(1);
    expect(h.mailsTo(outsider.email, b.code)).toHaveLength(0); // not a member
  }, 30_000);

  test('two comments back to back: the first author hears of the second', async () => {
    const owner = await h.user('Owner Burst');
    const kai = await h.user('Kai First', 'en');
    const lia = await h.user('Lia Second', 'en');
    const b = await h.board([owner, kai, lia], 'Hilo');
    await h.publish('ticket.commented', commented(b, kai.id, 'one'));
    await h.publish('ticket.commented', commented(b, lia.id, 'two'));
    const [mail] = await eventually("Lia's comment to Kai", () => h.mailsTo(kai.email, 'Lia Second commented')[0] && h.mailsTo(kai.email, 'Lia Second commented'));
    expect(mail!.subject).toBe(`Lia Second commented on ${b.code}: Hilo`);
    await eventually('both comments to the reporter', () => h.mailsTo(owner.email, 'comentó').length === 2);
  }, 30_000);

  test('preference none: no mail, and a skipped row that says why', async () => {
    const owner = await h.user('Owner None');
    const nina = await h.user('Nina None');
    const api = await h.as(nina);
    const put = await api.put('/notifications/preferences', { channels: { assigned: 'none' } });
    expect(put.status).toBe(200);
    expect(put.body.channels.assigned).toEqual([]);
    const b = await h.board([owner, nina]);
    await h.publish('ticket.assigned', assigned(b, nina.id, owner.id));

    const log = await eventually('the skipped rows', async () => {
      const rows = (await h.deliveries(nina)).filter((d) => d.kind === 'assigned');
      return rows.length === 3 && rows;
    });
    expect(log.map((d) => [d.channel, d.status, d.reason]).sort()).toEqual([
      ['email', 'skipped', 'preference'],
      ['in_app', 'skipped', 'preference'],
      ['push', 'skipped', 'preference'],
    ]);
    await settle();
    expect(h.mailsTo(nina.email, b.code)).toHaveLength(0);
    expect((await api.get('/notifications')).body.items.filter((n: any) => n.kind === 'assigned')).toHaveLength(0);
  }, 30_000);

  test('a redelivered event sends nothing twice', async () => {
    const owner = await h.user('Owner Redelivery');
    const rui = await h.user('Rui Redelivered');
    const b = await h.board([owner, rui]);
    const payload = assigned(b, rui.id, owner.id);
    const eventId = await h.publish('ticket.assigned', payload);
    await eventually('the first mail', () => h.mailsTo(rui.email, b.code).length === 1);
    await h.publish('ticket.assigned', payload, eventId);
    await h.publish('ticket.assigned', payload, eventId);
    await settle();
    expect(h.mailsTo(rui.email, b.code)).toHaveLength(1);
    expect((await h.deliveries(rui)).filter((d) => d.kind === 'assigned')).toHaveLength(3);
  }, 30_000);

  test('out of order: an assignment before its ticket and its user still ends in one correct mail', async () => {
    const owner = await h.user('Owner Late');
    const lea = { id: Bun.randomUUIDv7(), name: 'Lea Late', email: `lea.${Date.now()}@example.test` };
    const projectId = Bun.randomUUIDv7();
    const key = `L${Date.now().toString(36).toUpperCase().slice(-6)}`;
    const ticketId = Bun.randomUUIDv7();
    await h.publish('ticket.assigned', {
      ticketId,
      assigneeId: lea.id,
      assignedAt: new Date().toISOString(),
      projectId,
      strategy: 'least_loaded',
      previousAssigneeId: null,
    });
    await h.publish('ticket.created', {
      ticketId,
      projectId,
      reporterId: owner.id,
      title: 'Llegó tarde',
      priority: 'HIGH',
      code: `${key}-7`,
      status: 'OPEN',
      labels: [],
      version: 3,
    });
    await Bun.sleep(500);
    expect(h.mailsTo(lea.email)).toHaveLength(0);
    await h.publish('user.created', { userId: lea.id, email: lea.email, name: lea.name, locale: 'en' });
    const mails = await eventually('the parked mail', () => h.mailsTo(lea.email, `${key}-7`).length === 1 && h.mailsTo(lea.email, `${key}-7`));
    expect(mails[0]!.subject).toBe(`You have been assigned ${key}-7: Llegó tarde`);
    await settle();
    expect(h.mailsTo(lea.email, `${key}-7`)).toHaveLength(1);
  }, 30_000);

  test('the unsubscribe link turns that kind off by email, without a login; a forged one is refused', async () => {
    const owner = await h.user('Owner Unsub');
    const uma = await h.user('Uma Unsub');
    const b = await h.board([owner, uma]);
    await h.publish('ticket.assigned', assigned(b, uma.id, owner.id));
    const [mail] = await eventually('the mail', () => h.mailsTo(uma.email, b.code)[0] && h.mailsTo(uma.email, b.code));
    const link = /<([^>]+)>/.exec(header(mail!, 'list-unsubscribe')!)![1]!;
    const path = new URL(link).pathname + new URL(link).search;

    const forged = await fetch(h.url + path.replace(/.$/, (c) => (c === 'A' ? 'B' : 'A')), {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'List-Unsubscribe=One-Click',
    });
    expect(forged.status).toBe(400);
    expect(JSON.stringify(await forged.json())).toContain('token');

    const page = await fetch(h.url + path);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<form method="post"');
    expect((await (await h.as(uma)).get('/notifications/preferences')).body.channels.assigned).toEqual(['email', 'in_app']);

    const res = await fetch(h.url + path, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'List-Unsubscribe=One-Click',
    });
    expect(res.status).toBe(200);
    expect((await (await h.as(uma)).get('/notifications/preferences')).body.channels.assigned).toEqual(['in_app']);

    const again = await h.board([owner, uma], 'Otra vez');
    await h.publish('ticket.assigned', assigned(again, uma.id, owner.id));
    await eventually('the skipped email row', async () =>
      (await h.deliveries(uma)).some((d) => d.kind === 'assigned' && d.channel === 'email' && d.status === 'skipped' && d.reason === 'preference'),
    );
    expect(h.mailsTo(uma.email, again.code)).toHaveLength(0);
  }, 30_000);
});
