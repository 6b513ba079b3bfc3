/**
 * The outbox guarantee end to end, on a throwaway broker that this file stops and starts:
 * writes succeed while the broker is down, and every event arrives, in order per project, after it
 * returns, even though the relay itself was restarted meanwhile. Delivery is at least once: this
 * orderly restart repeats nothing, while a crash after the broker's acknowledgement may republish
 * with the same eventId (shared/kit/src/outbox/relay.crash.test.ts), which consumers deduplicate.
 */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { createKafkaBus } from '@syncro/kit/bus';
import { createLogger } from '@syncro/kit/log';
import { OutboxRelay } from '@syncro/kit/outbox';
import { collectEvents, type HealthBody } from '@syncro/testing';
import { startThrowawayKafka, type ThrowawayKafka } from '@syncro/testing/kafka';
import { expectStatus } from '@syncro/testing/typed';
import { startTickets, type Tickets } from '@syncro/tickets/harness';

let kafka: ThrowawayKafka;
let t: Tickets;
beforeAll(async () => {
  kafka = await startThrowawayKafka();
  t = await startTickets({ brokers: kafka.brokers });
}, 120_000);
afterAll(async () => {
  await t?.stop();
  await kafka?.dispose();
});

describe('transactional outbox', () => {
  test('broker down: creates still 201; broker back: every event once, in order, after a relay restart', async () => {
    const { typed: api, project } = await t.owner('Outage');
    expectStatus(await api.projects({ id: project.id }).tickets.post({ title: 'before the outage' }), 201);
    await t.service.relay.drained();

    await kafka.stop();
    const during = await Promise.all(
      Array.from({ length: 10 }, (_, i) => api.projects({ id: project.id }).tickets.post({ title: `during ${i}` })),
    );
    expect(during.map((r) => r.status)).toEqual(Array(10).fill(201));
    const ticket = expectStatus(during[0]!, 201);
    expect((await api.tickets({ id: ticket.id }).patch({ priority: 'HIGH' })).status).toBe(200);
    expect((await api.tickets({ id: ticket.id }).comments.post({ content: 'still writing' })).status).toBe(201);

    // The service says so, but stays up: events wait in the outbox.
    let health = await t.anonymous.get<HealthBody>('/health');
    for (let i = 0; i < 100 && health.body.checks.kafka === 'ok'; i++) {
      await Bun.sleep(100);
      health = await t.anonymous.get<HealthBody>('/health');
    }
    expect(health.status).toBe(200);
    expect(health.body.status).toBe('degraded');
    expect(health.body.checks.kafka).toStartWith('down');

    // Restart the relay while the broker is still down: a new process would do the same.
    await t.service.relay.stop();
    const bus = createKafkaBus({ brokers: kafka.brokers, clientId: 'relay-2', logger: createLogger({ test: 'relay-2' }) });
    const relay = new OutboxRelay({ sql: t.service.deps.db.$client, bus, logger: createLogger({ test: 'relay-2' }), name: 'tickets', pollMs: 200 });
    relay.start();
    try {
      await kafka.start();
      await relay.drained(60_000);

      const collector = await collectEvents(kafka.brokers, ['project.created', 'ticket.created', 'ticket.updated', 'ticket.commented'], {
        fromBeginning: true,
      });
      const ours = <M extends { value: { projectId?: unknown } }>(ms: M[]) => ms.filter((m) => m.value.projectId === project.id);
      const seen = ours(await collector.waitFor((ms) => ours(ms).length >= 14, 30_000));
      await Bun.sleep(500); // room for a duplicate to show up, if there were one
      await collector.stop();

      const all = ours(collector.messages);
      const ids = all.map((m) => m.value.eventId);
      expect(new Set(ids).size).toBe(ids.length); // an orderly restart repeats no eventId
      expect(all).toHaveLength(14); // project + 1 + 10 creates + update + comment
      expect(seen.filter((m) => m.topic === 'ticket.created')).toHaveLength(11);
      // Per project, in order: the versions of one topic-partition never go backwards.
      const byTopic = Map.groupBy(all, (m) => m.topic);
      for (const msgs of byTopic.values()) {
        const versions = msgs.map((m) => m.value.version as number);
        expect(versions).toEqual([...versions].sort((a, b) => a - b));
      }
      expect(all.map((m) => m.value.version).sort((a, b) => a - b)).toEqual(Array.from({ length: 14 }, (_, i) => i + 1));
    } finally {
      await relay.stop();
      await bus.close();
    }
  }, 180_000);
});
