/**
 * The Assignment Service's own database goes away (a throwaway Postgres, never the machine's):
 * a short outage is ridden out by the consumer's bounded retries with backoff; a longer one sends
 * the event to `ticket.created.dlq` with the error, and the consumer goes on with the next message;
 * replaying the dead letters then assigns it.
 */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { DlqHeader, replayDeadLetters } from '@syncro/kit/bus';
import { collectEvents, type EventCollector } from '@syncro/testing';
import { startThrowawayPostgres, type ThrowawayPostgres } from '@syncro/testing/postgres';
import { BROKERS, eventually, startLoop, type Loop } from '@syncro/assignment/harness';

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

type Api = Awaited<ReturnType<Loop['as']>>;
const ticketOf = async (api: Api, id: string) => (await api.tickets.get(`/tickets/${id}`)).body as { assigneeId: string | null };
const retriesOf = async (loop: Loop) => {
  const text = await (await fetch(`${loop.url}/metrics`)).text();
  return [...text.matchAll(/^consumer_retries_total\{.*topic="ticket\.created".*\} (\d+)$/gm)].reduce((n, m) => n + Number(m[1]), 0);
};

describe('assignment database outage', () => {
  test('a short outage: the ticket.created is retried with backoff and applied once the database is back', async () => {
    // Up to 8 attempts, backoff 100 ms doubling to 1 s: a window of about 4.5 s.
    const loop = await startLoop({ databaseUrl: pg.url('assign_short'), env: { CONSUMER_MAX_ATTEMPTS: '8', CONSUMER_MAX_BACKOFF_MS: '1000' } });
    try {
      const { project, owner } = await loop.team(2, 'Blip');
      await pg.stop();
      const ticket = (await owner.tickets.post(`/projects/${project.id}/tickets`, { title: 'during the blip' })).body;
      expect(ticket.assigneeId).toBeNull();
      await eventually('the consumer to fail and retry', async () => (await retriesOf(loop)) >= 2);
      await pg.start();

      const done = await eventually('the assignment after the database is back', async () => (await ticketOf(owner, ticket.id)).assigneeId);
      expect(done).toBeString();
      const log = (await owner.assign.get(`/assignment/tickets/${ticket.id}/decisions`)).body;
      expect(log.decisions).toHaveLength(1);
      expect(collector.messages.filter((m) => m.value?.ticketId === ticket.id)).toEqual([]);
    } finally {
      await pg.start();
      await loop.stop();
    }
  }, 60_000);

  test('a longer outage: after the bounded retries the event goes to ticket.created.dlq with the error; the next one is applied; a replay applies it', async () => {
    // 3 attempts within ~300 ms: the database stays down longer than that.
    const loop = await startLoop({ databaseUrl: pg.url('assign_long'), env: { CONSUMER_MAX_ATTEMPTS: '3', CONSUMER_MAX_BACKOFF_MS: '200' } });
    try {
      const { project, owner } = await loop.team(2, 'Outage');
      const group = loop.groupId;
      await pg.stop();
      const lost = (await owner.tickets.post(`/projects/${project.id}/tickets`, { title: 'while the database is down' })).body;
      const [dead] = await collector
        .waitFor((ms) => ms.some((m) => m.value?.ticketId === lost.id && m.headers[DlqHeader.group] === group))
        .then((ms) => ms.filter((m) => m.value?.ticketId === lost.id));
      expect(dead!.headers[DlqHeader.topic]).toBe('ticket.created');
      expect(dead!.headers[DlqHeader.attempts]).toBe('3');
      expect(dead!.headers[DlqHeader.error]).toMatch(/ECONNREFUSED|connect|terminat/i);
      expect(dead!.value).toMatchObject({ ticketId: lost.id, projectId: project.id });
      // Meanwhile its API says "unavailable, retry", not "internal error".
      const during = await owner.assign.get(`/assignment/projects/${project.id}/workload`);
      expect(during.status).toBe(503);
      expect(during.headers.get('retry-after')).toBe('1');
      expect(during.body.error.code).toBe('UNAVAILABLE');

      await pg.start();
      const next = (await owner.tickets.post(`/projects/${project.id}/tickets`, { title: 'after it is back' })).body;
      expect(await eventually('the next ticket assigned', async () => (await ticketOf(owner, next.id)).assigneeId)).toBeString();
      // The dead-lettered one waits for an operator…
      expect((await ticketOf(owner, lost.id)).assigneeId).toBeNull();
      // …who replays this group's dead letters: now it is assigned, once.
      const replay = await replayDeadLetters({ brokers: BROKERS, dlqTopic: 'ticket.created.dlq', group });
      expect(replay.replayed).toBe(1);
      expect(await eventually('the replayed ticket assigned', async () => (await ticketOf(owner, lost.id)).assigneeId)).toBeString();
      expect((await owner.assign.get(`/assignment/tickets/${lost.id}/decisions`)).body.decisions).toHaveLength(1);
      // A second replay finds nothing new for this group.
      expect((await replayDeadLetters({ brokers: BROKERS, dlqTopic: 'ticket.created.dlq', group })).replayed).toBe(0);
    } finally {
      await pg.start();
      await loop.stop();
    }
  }, 60_000);
});
