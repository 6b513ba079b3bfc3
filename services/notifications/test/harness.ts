/**
 * @module Starts a real Notification Service for a test file: its own database, its own consumer
 * group reading the shared broker from now on (KAFKA_OFFSET_RESET=latest), a real SMTP sink as the
 * receiving MTA. Tests drive it by publishing real events to Kafka with fresh ids, so other test
 * files' traffic never names their users, projects or tickets.
 */
import { createKafkaBus, type EventBus } from '@syncro/kit/bus';
import { createLogger } from '@syncro/kit/log';
import { serve, serviceContext, type Served } from '@syncro/kit/service';
import { EventHeader, SCHEMA_VERSION, partitionKey, type Payload, type Topic } from '@syncro/contracts';
import { client, createTestDatabase, newUser, startTestIdp, type Client, type TestUser } from '@syncro/testing';
import { loadNotifyConfig } from '../src/config.ts';
import { startMailSink } from '../src/dev/mailSink.ts';
import { start, type NotificationService } from '../src/index.ts';

export const BROKERS = (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(',');
export const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

const LETTERS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';
export const randomKey = () => `N${Array.from(crypto.getRandomValues(new Uint8Array(5)), (b) => LETTERS[b % 26]).join('')}`;

export interface NotifyHarnessOptions {
  /** More of the service's environment. */
  env?: Record<string, string>;
}

export async function startNotify(opts: NotifyHarnessOptions = {}) {
  const idp = await startTestIdp();
  const database = await createTestDatabase('notify_test');
  const sink = await startMailSink();
  const config = loadNotifyConfig({
    DATABASE_URL: database.url,
    KAFKA_BROKERS: BROKERS.join(','),
    KAFKA_GROUP_ID: `notifications-test-${crypto.randomUUID()}`,
    KAFKA_OFFSET_RESET: 'latest',
    REDIS_URL,
    JWKS_URL: idp.jwksUrl,
    AUTH_ISSUER: idp.issuer,
    AUTH_AUDIENCE: idp.audience,
    OUTBOX_POLL_MS: '200',
    SMTP_URL: sink.url,
    SENDER_POLL_MS: '200',
    DELIVERY_MAX_BACKOFF_MS: '1000',
    APP_URL: 'https://board.example.test',
    PUBLIC_URL: 'http://127.0.0.1:1',
    UNSUBSCRIBE_SECRET: 'test-secret-0123456789abcdef',
    ...opts.env,
  });
  const ctx = serviceContext('notifications-test');
  const service: NotificationService = await start(ctx, { config });
  const served: Served = serve('notifications', 0, [service], ctx);
  await service.consumer.ready;
  const bus: EventBus = createKafkaBus({ brokers: BROKERS, clientId: 'notify-test-publisher', logger: createLogger({ service: 'notify-test' }) });

  /** Publishes `payload` on `topic` as the relay would (envelope, headers, key); returns the event id. */
  const publish = async <T extends Topic>(topic: T, payload: Payload<T>, eventId: string = Bun.randomUUIDv7()) => {
    const value = { ...payload, eventId, timestamp: new Date().toISOString() };
    await bus.publish([
      {
        topic,
        key: partitionKey(topic, payload),
        value: JSON.stringify(value),
        headers: { [EventHeader.id]: eventId, [EventHeader.type]: topic, [EventHeader.schemaVersion]: SCHEMA_VERSION },
      },
    ]);
    return eventId;
  };

  const as = async (user: TestUser): Promise<Client> => client(served.url, await idp.token(user));

  /** A user the service knows (user.created), in `locale`. */
  const user = async (name: string, locale = 'es') => {
    const u = newUser(name);
    await publish('user.created', { userId: u.id, email: u.email, name: u.name, locale });
    return u;
  };

  /** A project with these members (the first is the owner) and one ticket reported by the owner. */
  const board = async (people: TestUser[], title = 'Arreglar el login') => {
    const projectId = Bun.randomUUIDv7();
    const key = randomKey();
    const owner = people[0]!;
    let version = 1;
    await publish('project.created', { projectId, key, name: `Proyecto ${key}`, userId: owner.id, role: 'owner', version, actorId: owner.id });
    for (const p of people.slice(1)) {
      await publish('project.member.added', { projectId, key, userId: p.id, role: 'member', version: ++version, actorId: owner.id });
    }
    const ticketId = Bun.randomUUIDv7();
    const code = `${key}-1`;
    await publish('ticket.created', {
      ticketId,
      projectId,
      reporterId: owner.id,
      title,
      priority: 'MEDIUM',
      code,
      status: 'OPEN',
      labels: [],
      version: ++version,
    });
    return { projectId, key, ticketId, code, owner, nextVersion: () => ++version };
  };

  return {
    config,
    service,
    sink,
    url: served.url,
    idp,
    publish,
    as,
    user,
    board,
    /** Mails the sink received for `email`. */
    mailsTo: (email: string, about?: string) =>
      sink.mails.filter((m) => m.to.includes(email.toLowerCase()) && (about === undefined || m.subject.includes(about))),
    /** The user's delivery log through the API. */
    deliveries: async (u: TestUser, query = '') => (await (await as(u)).get(`/notifications/deliveries${query}`)).body.items as any[],
    async stop() {
      await bus.close();
      await served.stop();
      await sink.stop();
      await database.drop();
      await idp.stop();
    },
  };
}

export type NotifyHarness = Awaited<ReturnType<typeof startNotify>>;
