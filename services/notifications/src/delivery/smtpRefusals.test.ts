import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { eventually } from '@syncro/testing';
import { assigned } from '../../test/events.ts';
import { startNotify, type NotifyHarness } from '../../test/harness.ts';

let h: NotifyHarness;
beforeAll(async () => {
  h = await startNotify({ env: { DELIVERY_MAX_ATTEMPTS: '3', DELIVERY_MAX_BACKOFF_MS: '300' } });
}, 60_000);
afterAll(() => h?.stop());

const emailRow = async (user: Parameters<NotifyHarness['deliveries']>[0]) =>
  (await h.deliveries(user)).find((d) => d.kind === 'assigned' && d.channel === 'email');

async function assignOne(name: string) {
  const owner = await h.user(`Owner ${name}`);
  const user = await h.user(name);
  await eventually('the welcome mails', () => h.mailsTo(user.email).length === 1 && h.mailsTo(owner.email).length === 1);
  const b = await h.board([owner, user]);
  return { user, b, assign: () => h.publish('ticket.assigned', assigned(b, user.id, owner.id)) };
}

describe('SMTP answers', () => {
  test('550: failed at once, the reason visible in the delivery log, never retried', async () => {
    const { user, b, assign } = await assignOne('Pau Permanent');
    h.sink.refuse({ code: 550, message: 'Mailbox unavailable' });
    try {
      await assign();
      const row = await eventually('the failed row', async () => {
        const r = await emailRow(user);
        return r?.status === 'failed' && r;
      });
      expect(row.attempts).toBe(1);
      expect(row.reason).toContain('550');
      expect(row.reason).toContain('Mailbox unavailable');
      await Bun.sleep(1500);
      expect((await emailRow(user)).attempts).toBe(1);
    } finally {
      h.sink.refuse(null);
    }
    await Bun.sleep(800);
    expect(h.mailsTo(user.email, b.code)).toHaveLength(0);
    const metrics = await (await fetch(`${h.url}/metrics`)).text();
    expect(metrics).toMatch(/notification_deliveries_failed_total\{channel="email"\} [1-9]/);
  }, 30_000);

  test('451: retried with backoff, delivered once when the server accepts again', async () => {
    const { user, b, assign } = await assignOne('Tere Transient');
    h.sink.refuse({ code: 451, message: 'Try again later' });
    try {
      await assign();
      const row = await eventually('a retried row', async () => {
        const r = await emailRow(user);
        return r?.status === 'pending' && r.attempts >= 1 && r.lastError && r;
      });
      expect(row.lastError).toContain('451');
    } finally {
      h.sink.refuse(null);
    }
    await eventually('the mail', () => h.mailsTo(user.email, b.code).length === 1);
    const sent = await eventually('the sent row', async () => {
      const r = await emailRow(user);
      return r?.status === 'sent' && r;
    });
    expect(sent.attempts).toBeGreaterThanOrEqual(2);
    await Bun.sleep(800);
    expect(h.mailsTo(user.email, b.code)).toHaveLength(1);
  }, 30_000);

  test('4xx for ever: given up after DELIVERY_MAX_ATTEMPTS, failed with the last answer', async () => {
    const { user, assign } = await assignOne('Fer Forever');
    h.sink.refuse({ code: 421, message: 'Service not available' });
    try {
      await assign();
      const row = await eventually('the failed row', async () => {
        const r = await emailRow(user);
        return r?.status === 'failed' && r;
      });
      expect(row.attempts).toBe(3);
      expect(row.reason).toContain('gave up after 3 attempts');
      expect(row.lastError).toContain('421');
    } finally {
      h.sink.refuse(null);
    }
  }, 30_000);
});
