import { afterAll, beforeAll, expect, test } from 'bun:test';
import { eventually } from '@syncro/testing';
import { eq } from 'drizzle-orm';
import { assigned } from '../../test/events.ts';
import { startNotify, type NotifyHarness } from '../../test/harness.ts';
import { waiting } from '../projection/projection.model.ts';

let h: NotifyHarness;
beforeAll(async () => {
  h = await startNotify({ env: { FANOUT_CONCURRENCY: '1', FANOUT_BATCH: '10' } });
}, 60_000);
afterAll(() => h?.stop());

test('a queued event that fails is backed off alone with its error kept; the events beside it are still notified', async () => {
  const poisonId = Bun.randomUUIDv7();
  // Oldest first, so it lands in the same batch as what follows; its ticket id is no UUID, so Postgres refuses the read.
  await h.service.deps.db.insert(waiting).values({
    eventId: poisonId,
    topic: 'ticket.assigned',
    event: { eventId: poisonId, ticketId: 'not-a-uuid', assigneeId: 'nobody', projectId: 'nowhere' },
    needs: [],
    projected: true,
    createdAt: new Date(Date.now() - 60_000),
  });
  const owner = await h.user('Owner Poison');
  const vic = await h.user('Vic Beside');
  const b = await h.board([owner, vic]);
  await h.publish('ticket.assigned', assigned(b, vic.id, owner.id));
  await eventually('the mail beside the poison', () => h.mailsTo(vic.email, b.code).length === 1);

  const row = await eventually('the poison backed off', async () => {
    const [r] = await h.service.deps.db.select().from(waiting).where(eq(waiting.eventId, poisonId));
    return r && r.attempts >= 1 && r;
  });
  expect(row.lastError).toContain('uuid');
  expect(row.runAfter.getTime()).toBeGreaterThan(Date.now() - 1000);
  await h.service.deps.db.delete(waiting).where(eq(waiting.eventId, poisonId));
}, 30_000);
