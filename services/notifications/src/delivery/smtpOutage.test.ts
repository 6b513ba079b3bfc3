import { afterAll, beforeAll, expect, test } from 'bun:test';
import { eventually } from '@syncro/testing';
import { assigned, type Board } from '../../test/events.ts';
import { startNotify, type NotifyHarness } from '../../test/harness.ts';

let h: NotifyHarness;
beforeAll(async () => {
  h = await startNotify({ env: { DELIVERY_MAX_BACKOFF_MS: '4000' } });
}, 60_000);
afterAll(() => h?.stop());

test('SMTP down for 30 s: what was queued meanwhile is delivered after, each mail once', async () => {
  const owner = await h.user('Owner Outage');
  const people = [await h.user('Olivia Outage'), await h.user('Oscar Outage', 'en'), await h.user('Ona Outage')];
  await eventually('the welcome mails', () => people.every((p) => h.mailsTo(p.email).length === 1));

  await h.sink.stop();
  const boards: Board[] = [];
  for (const p of people) {
    const b = await h.board([owner, p]);
    await h.publish('ticket.assigned', assigned(b, p.id, owner.id));
    boards.push(b);
  }
  await eventually('every delivery retried at least once', async () => {
    const rows = await Promise.all(people.map(async (p) => (await h.deliveries(p)).find((d) => d.kind === 'assigned' && d.channel === 'email')));
    return rows.every((r) => r?.status === 'pending' && r.attempts >= 1 && r.lastError);
  });
  const depth = await (await fetch(`${h.url}/metrics`)).text();
  expect(depth).toMatch(/notification_queue_depth [1-9]/);
  expect(depth).toMatch(/notification_oldest_pending_seconds (0\.\d*[1-9]|[1-9])/);
  await Bun.sleep(30_000);
  await h.sink.start();

  await eventually('every queued mail', () => people.every((p, i) => h.mailsTo(p.email, boards[i]!.code).length === 1), 20_000);
  await Bun.sleep(1500);
  people.forEach((p, i) => expect(h.mailsTo(p.email, boards[i]!.code)).toHaveLength(1));
  for (const p of people) {
    const row = (await h.deliveries(p)).find((d) => d.kind === 'assigned' && d.channel === 'email');
    expect(row.status).toBe('sent');
    expect(row.attempts).toBeGreaterThanOrEqual(2);
  }
}, 90_000);
