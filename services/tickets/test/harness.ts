/** @module Starts a real Ticket Service for a test file: its own database, the real broker and Redis. */
import { serve, serviceContext } from '@syncro/kit/service';
import { client, createTestDatabase, newUser, startTestIdp, type TestIdp, type TestUser } from '@syncro/testing';
import { expectStatus, typedClient, type TypedClient } from '@syncro/testing/typed';
import { loadTicketConfig } from '../src/config.ts';
import { start, type ticketsPlugin } from '../src/index.ts';

/** The Ticket Service's routes, for a typed client (`typed(user)`). */
export type TicketsApp = ReturnType<typeof ticketsPlugin>;
export type TicketsClient = TypedClient<TicketsApp>;

export const BROKERS = (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(',');
export const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

export interface HarnessOptions {
  brokers?: string[];
  redisUrl?: string;
  boardCache?: 'redis' | 'off';
  /** Share an identity provider with other services of the test (its tokens work on all of them). */
  idp?: TestIdp;
  /** Project keys `owner()` makes start with this (tells one test's projects from another's in logs). */
  keyPrefix?: string;
  /** Trust this issuer's JWKS (a real Auth Service) instead of the test IdP. */
  trust?: { jwksUrl: string; issuer: string; audience: string };
  /** More configuration (e.g. the outbound webhook schedule), over the harness's own. */
  env?: Record<string, string>;
}

export async function startTickets(opts: HarnessOptions = {}) {
  const ownIdp = !opts.idp;
  const idp = opts.idp ?? (await startTestIdp());
  const database = await createTestDatabase('tickets_test');
  const config = loadTicketConfig({
    DATABASE_URL: database.url,
    KAFKA_BROKERS: (opts.brokers ?? BROKERS).join(','),
    REDIS_URL: opts.redisUrl ?? REDIS_URL,
    BOARD_CACHE: opts.boardCache ?? 'redis',
    JWKS_URL: opts.trust?.jwksUrl ?? idp.jwksUrl,
    AUTH_ISSUER: opts.trust?.issuer ?? idp.issuer,
    AUTH_AUDIENCE: opts.trust?.audience ?? idp.audience,
    OUTBOX_POLL_MS: '200',
    // Its own group, from the topics' end: only what this test publishes (the run has its own
    // topic namespace, KAFKA_TOPIC_PREFIX from the preload, but earlier test files used it too).
    KAFKA_GROUP_ID: `tickets-test-${crypto.randomUUID()}`,
    KAFKA_OFFSET_RESET: 'latest',
    // The test receivers listen on 127.0.0.1; retries come within a second, not half a minute.
    WEBHOOKS_ALLOW_PRIVATE: '1',
    WEBHOOKS_POLL_MS: '100',
    WEBHOOKS_BASE_BACKOFF_MS: '200',
    ...opts.env,
  });
  const ctx = serviceContext('tickets-test');
  const service = await start(ctx, { config });
  await service.consumer.ready;
  const served = serve('tickets', 0, [service], ctx);

  const as = async (user: TestUser) => client(served.url, await idp.token(user));
  /** Like `as`, typed from the routes' schemas: a wrong path, body or field is a type error. */
  const typed = async (user: TestUser): Promise<TicketsClient> => typedClient<TicketsApp>(served.url, await idp.token(user));
  return {
    url: served.url,
    service,
    idp,
    config,
    anonymous: client(served.url),
    /** A typed client sending `token` as is (none: anonymous). */
    typedWith: (token?: string): TicketsClient => typedClient<TicketsApp>(served.url, token),
    as,
    typed,
    /** A fresh user with a client (raw `api`, typed `typed`), plus a project they own. */
    async owner(name = 'Owner', key = randomKey(opts.keyPrefix)) {
      const user = newUser(name);
      const [api, typedApi] = [await as(user), await typed(user)];
      const project = expectStatus(await typedApi.projects.post({ name: `${name}'s project`, key }), 201);
      return { user, api, typed: typedApi, project };
    },
    async stop() {
      await served.stop();
      await database.drop();
      if (ownIdp) await idp.stop();
    },
  };
}

export type Tickets = Awaited<ReturnType<typeof startTickets>>;

/** Keys are unique per database, but tests also read shared Kafka topics: make them unique there too. */
export const randomKey = (prefix = 'T') =>
  `${prefix}${crypto.randomUUID().replaceAll('-', '').toUpperCase().replace(/[^A-Z0-9]/g, 'X')}`.slice(0, 10);
