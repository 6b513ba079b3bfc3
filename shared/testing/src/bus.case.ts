/**
 * @module The behaviour every bus adapter must show, run by each adapter's test file: ordered
 * delivery per key, the consumer runner's retries, DLQ and moving on, and idempotent effects.
 */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { EventHeader, type Envelope } from '@syncro/contracts';
import { createTestDatabase } from './db.ts';
import { eventually } from './eventually.ts';
import { sql } from 'drizzle-orm';
import { drizzle } from 'drizzle-orm/postgres-js';
import postgres from 'postgres';
import { recordOnce } from '@syncro/kit/inbox';
import { createLogger } from '@syncro/kit/log';
import { DlqHeader, PermanentError, runConsumer, type EventBus, type IncomingMessage, type ReplayResult, type Subscription } from '@syncro/kit/bus';
import { NotFound } from '@syncro/kit/errors';

const logger = createLogger({ test: 'bus' });
const TOPIC = 'user.created';

const userCreated = (userId: string, name = 'n'): Envelope<'user.created'> => ({
  userId,
  email: `${userId.slice(-12)}@example.test`,
  name,
  locale: 'en',
  eventId: Bun.randomUUIDv7(),
  timestamp: new Date().toISOString(),
});

const message = (e: Envelope<'user.created'> | string, key: string) => ({
  topic: TOPIC,
  key,
  value: typeof e === 'string' ? e : JSON.stringify(e),
  headers: { [EventHeader.type]: TOPIC, [EventHeader.id]: typeof e === 'string' ? 'none' : e.eventId },
});

/** The adapter's dead-letter replay (`dlq.cli.ts replay`): what the DLQ holds goes back to its topic. */
export type Replay = (dlqTopic: string, group?: string) => Promise<ReplayResult>;

export function busSuite(name: string, make: () => Promise<EventBus>, replay: Replay) {
  describe(`bus port: ${name}`, () => {
    let bus: EventBus;
    let watcher: Subscription | undefined;
    const dlq: IncomingMessage[] = [];
    beforeAll(async () => {
      bus = await make();
      // Watches the DLQ from where it ends now.
      watcher = await bus.subscribe({ groupId: `dlq-watch-${crypto.randomUUID()}`, topics: [`${TOPIC}.dlq`], fromBeginning: false, handle: async (m) => void dlq.push(m) });
      await Bun.sleep(1500); // let the watcher join before anything is dead-lettered
    });
    afterAll(async () => {
      await watcher?.stop(); // before the bus closes under it
      await bus.close();
    });

    test('messages of one key arrive in the order published', async () => {
      const key = Bun.randomUUIDv7();
      const sent = Array.from({ length: 30 }, (_, i) => userCreated(key, `n${i}`));
      await bus.publish(sent.map((e) => message(e, key)));
      const got: string[] = [];
      const sub = await bus.subscribe({
        groupId: `order-${crypto.randomUUID()}`,
        topics: [TOPIC],
        handle: async (m) => {
          if (m.key === key) got.push(JSON.parse(m.value!).name);
        },
      });
      await eventually('got.length >= 30', () => got.length >= 30, 20_000);
      await sub.stop();
      expect(got).toEqual(sent.map((e) => e.name));
    });

    test('runner: a failing message goes to the DLQ after bounded retries, then the next is processed', async () => {
      const key = Bun.randomUUIDv7();
      const [poison, good, malformed, permanent, flaky] = [userCreated(key, 'poison'), userCreated(key, 'good'), 'not json', userCreated(key, 'permanent'), userCreated(key, 'flaky')];
      const attempts = new Map<string, number>();
      const handled: string[] = [];
      const sub = await runConsumer({
        bus,
        logger,
        groupId: `runner-${crypto.randomUUID()}`,
        maxAttempts: 3,
        baseBackoffMs: 20,
        handlers: {
          [TOPIC]: async (e: Envelope<'user.created'>) => {
            if (e.userId !== key) return;
            attempts.set(e.name, (attempts.get(e.name) ?? 0) + 1);
            if (e.name === 'poison') throw new Error('cannot process poison');
            if (e.name === 'permanent') throw new PermanentError('unknown user');
            if (e.name === 'flaky' && attempts.get('flaky')! < 2) throw new Error('transient');
            handled.push(e.name);
          },
        },
      });
      await bus.publish([message(poison, key), message(good, key), message(malformed, key), message(permanent, key), message(flaky, key)]);
      await eventually('handled.includes(flaky)', () => handled.includes('flaky'), 20_000);
      await sub.stop();
      const ours = () => dlq.filter((m) => m.key === key);
      await eventually('ours().length >= 3', () => ours().length >= 3, 20_000);

      expect(handled).toEqual(['good', 'flaky']);
      expect(attempts.get('poison')).toBe(3);
      expect(attempts.get('permanent')).toBe(1);
      expect(attempts.get('flaky')).toBe(2);
      const [p, m, perm] = ours();
      expect(p!.headers).toMatchObject({ [DlqHeader.topic]: TOPIC, [DlqHeader.attempts]: '3', [DlqHeader.error]: 'Error: cannot process poison' });
      expect(p!.headers[DlqHeader.partition]).toMatch(/^\d+$/);
      expect(p!.headers[DlqHeader.offset]).toMatch(/^\d+$/);
      expect(JSON.parse(p!.value!).eventId).toBe(poison.eventId);
      expect(m!.value).toBe('not json');
      expect(m!.headers[DlqHeader.attempts]).toBe('1');
      expect(m!.headers[DlqHeader.error]).toContain('invalid payload');
      expect(perm!.headers[DlqHeader.error]).toBe('PermanentError: unknown user');
    });

    test('replay: a dead letter goes back to its topic and its group applies it; a second replay finds nothing; other groups are skipped', async () => {
      const key = Bun.randomUUIDv7();
      let refuse = true;
      const handled: string[] = [];
      const groupId = `replay-${crypto.randomUUID()}`;
      const run = (g: string, into: string[]) =>
        runConsumer({
          bus,
          logger,
          groupId: g,
          fromNow: true,
          handlers: {
            [TOPIC]: async (e: Envelope<'user.created'>) => {
              if (e.userId !== key) return;
              if (refuse) throw new NotFound('User');
              into.push(e.name);
            },
          },
        });
      const other: string[] = [];
      const [sub, otherSub] = [await run(groupId, handled), await run(`${groupId}-other`, other)];
      await Bun.sleep(1500); // both joined before the publish (fromNow)
      try {
        await bus.publish([message(userCreated(key, 'later'), key)]);
        await eventually('both groups dead-lettered it', () => dlq.filter((m) => m.key === key).length === 2, 20_000);
        refuse = false;
        const first = await replay(`${TOPIC}.dlq`, groupId);
        expect(first.replayed).toBe(1);
        expect(first.skipped).toBeGreaterThanOrEqual(1); // at least the other group's letter
        await eventually('applied after the replay', () => handled.length === 1, 20_000);
        expect(handled).toEqual(['later']);
        expect((await replay(`${TOPIC}.dlq`, groupId)).replayed).toBe(0);
        // The replayed copy reached the other group too, which applies it (the inbox would dedupe a real effect).
        await eventually('the other group saw the copy', () => other.length === 1, 20_000);
      } finally {
        await sub.stop();
        await otherSub.stop();
      }
    }, 60_000);

    describe('idempotent effects through the inbox', () => {
      let db: Awaited<ReturnType<typeof createTestDatabase>>;
      let pg: postgres.Sql;
      beforeAll(async () => {
        db = await createTestDatabase('bus_inbox');
        pg = postgres(db.url, { max: 2, onnotice: () => {} });
        await pg`create table inbox (consumer text not null, event_id uuid not null, processed_at timestamptz not null default now(), primary key (consumer, event_id))`;
        await pg`create table effects (event_id uuid not null, name text not null)`;
      });
      afterAll(async () => {
        await pg.end();
        await db.drop();
      });

      test('a redelivered message has no second effect', async () => {
        const orm = drizzle(pg);
        const key = Bun.randomUUIDv7();
        const event = userCreated(key, 'once');
        let calls = 0;
        const sub = await runConsumer({
          bus,
          logger,
          groupId: `inbox-${crypto.randomUUID()}`,
          handlers: {
            [TOPIC]: async (e: Envelope<'user.created'>) => {
              if (e.userId !== key) return;
              calls++;
              await orm.transaction(async (tx) => {
                if (!(await recordOnce(tx, 'test-consumer', e.eventId))) return;
                await tx.execute(sql`insert into effects (event_id, name) values (${e.eventId}, ${e.name})`);
              });
            },
          },
        });
        // The same event twice, as a broker redelivery or a relay retry would produce it.
        await bus.publish([message(event, key), message(event, key)]);
        await eventually('calls >= 2', () => calls >= 2, 20_000);
        await sub.stop();
        const rows = await pg`select * from effects where event_id = ${event.eventId}`;
        expect(rows).toHaveLength(1);
      });
    });
  });
}
