/**
 * The Assignment Service's own database goes away (a throwaway Postgres, never the machine's).
 * An unavailable dependency is not a poison message: the consumer's partition waits (retried with
 * capped backoff, health degraded) however long the outage lasts, nothing goes to the DLQ, and
 * every ticket created meanwhile is assigned once the database is back. A message that can never
 * be applied still goes to the DLQ at once.
 */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { DlqHeader } from '@syncro/kit/bus';
import { collectEvents, publishRaw, type EventCollector } from '@syncro/testing';
import { startThrowawayPostgres, type ThrowawayPostgres } from '@syncro/testing/postgres';
import { expectStatus } from '@syncro/testing/typed';
import { BROKERS, eventually, startLoop, type Loop, type TypedApis } from '@syncro/assignment/harness';

let pg: ThrowawayPostgres;
let collector: EventCollector;
beforeAll(async () => {
  pg = await startThrowawayPostgres();
  collector = await collectEvents(BROKERS, ['ticket.created.dlq']);
}, 60_000);
afterAll(async () => {
  await collector?.stop();
  await pg?.dispose();
});

type Api = TypedApis;
const ticketOf = async (api: Api, id: string) => expectStatus(await api.tickets.tickets({ id }).get(), 200);
const metric = async (loop: Loop, name: string) => {
  const text = await (await fetch(`${loop.url}/metrics`)).text();
  return [...text.matchAll(new RegExp(`^${name}\\{[^}]*\\} ([\\d.]+)$`, 'gm'))].reduce((n, m) => Math.max(n, Number(m[1])), 0);
};
const consumerHealth = async (loop: Loop) => ((await (await fetch(`${loop.url}/health`)).json()) as { checks: Record<string, string> }).checks.consumer;

/** Stops the database for `seconds` while tickets are created, then checks that every one is assigned and none dead-lettered. */
async function outage(database: string, seconds: number) {
  // Few attempts and a short backoff cap: before, a few hundred ms of outage sent the event to the DLQ.
  const loop = await startLoop({ databaseUrl: pg.url(database), env: { CONSUMER_MAX_ATTEMPTS: '3', CONSUMER_MAX_BACKOFF_MS: '1000' } });
  try {
    const { project, typedOwner: owner } = await loop.team(2, `Outage${seconds}`);
    await pg.stop();
    const created: string[] = [];
    const until = Date.now() + seconds * 1000;
    // Tickets through the whole outage (the Ticket Service's database is not the one that is down).
    while (Date.now() < until) {
      const res = await owner.tickets.projects({ id: project.id }).tickets.post({ title: `during the outage ${created.length}` });
      created.push(expectStatus(res, 201).id);
      await Bun.sleep(Math.min(until - Date.now(), seconds * 200));
    }
    // Waiting, not failing: the stuck message is measured and the consumer reports degraded.
    expect(await metric(loop, 'consumer_stuck_seconds')).toBeGreaterThan(seconds / 2);
    expect(await consumerHealth(loop)).not.toBe('ok');
    await pg.start();

    for (const id of created) {
      expect(await eventually(`ticket ${id} assigned after the outage`, async () => (await ticketOf(owner, id)).assigneeId, 30_000)).toBeString();
      expect(expectStatus(await owner.assign.assignment.tickets({ ticketId: id }).decisions.get(), 200).decisions).toHaveLength(1);
    }
    await eventually('the consumer healthy again', async () => (await consumerHealth(loop)) === 'ok');
    expect(await metric(loop, 'consumer_stuck_seconds')).toBe(0);
    expect(collector.messages.filter((m) => m.headers[DlqHeader.group] === loop.groupId)).toEqual([]);
    return created.length;
  } finally {
    await pg.start();
    await loop.stop();
  }
}

describe('assignment database outage', () => {
  test('10 s: nothing in the DLQ, every ticket assigned after recovery', async () => {
    expect(await outage('assign_10s', 10)).toBeGreaterThanOrEqual(3);
  }, 90_000);

  test('60 s: nothing in the DLQ, every ticket assigned after recovery', async () => {
    expect(await outage('assign_60s', 60)).toBeGreaterThanOrEqual(3);
  }, 150_000);

  test('a message that can never be applied still goes to ticket.created.dlq at once, and the next is applied', async () => {
    const loop = await startLoop({ databaseUrl: pg.url('assign_poison'), env: { CONSUMER_MAX_ATTEMPTS: '3', CONSUMER_MAX_BACKOFF_MS: '1000' } });
    try {
      const { project, typedOwner: owner } = await loop.team(2, 'Poison');
      // On the project's partition, ahead of a real ticket: a ticket.created that breaks its contract.
      await publishRaw(BROKERS, [{ topic: 'ticket.created', key: project.id, value: { ticketId: 'not-a-uuid', projectId: project.id, eventId: Bun.randomUUIDv7() } }]);
      const next = expectStatus(await owner.tickets.projects({ id: project.id }).tickets.post({ title: 'after the poison' }), 201);
      expect(await eventually('the next ticket assigned', async () => (await ticketOf(owner, next.id)).assigneeId)).toBeString();
      const [dead] = await collector
        .waitFor((ms) => ms.some((m) => m.headers[DlqHeader.group] === loop.groupId))
        .then((ms) => ms.filter((m) => m.headers[DlqHeader.group] === loop.groupId));
      expect(dead!.headers[DlqHeader.topic]).toBe('ticket.created');
      expect(dead!.headers[DlqHeader.attempts]).toBe('1');
      expect(dead!.headers[DlqHeader.error]).toContain('invalid payload');
      expect(dead!.value).toMatchObject({ ticketId: 'not-a-uuid', projectId: project.id });
    } finally {
      await loop.stop();
    }
  }, 60_000);
});
