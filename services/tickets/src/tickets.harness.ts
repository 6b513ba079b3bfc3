/** @module Starts a real Ticket Service for a test file: its own database, the real broker and Redis. */
import { serve, serviceContext } from '@syncro/kit/service';
import { client, createTestDatabase, newUser, startTestIdp, type TestUser } from '@syncro/testing';
import { loadTicketConfig } from './config.ts';
import { start } from './index.ts';

export const BROKERS = (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(',');
export const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

export interface HarnessOptions {
  brokers?: string[];
  redisUrl?: string;
  boardCache?: 'redis' | 'off';
}

export async function startTickets(opts: HarnessOptions = {}) {
  const idp = await startTestIdp();
  const database = await createTestDatabase('tickets_test');
  const config = loadTicketConfig({
    DATABASE_URL: database.url,
    KAFKA_BROKERS: (opts.brokers ?? BROKERS).join(','),
    REDIS_URL: opts.redisUrl ?? REDIS_URL,
    BOARD_CACHE: opts.boardCache ?? 'redis',
    JWKS_URL: idp.jwksUrl,
    AUTH_ISSUER: idp.issuer,
    AUTH_AUDIENCE: idp.audience,
    OUTBOX_POLL_MS: '200',
  });
  const ctx = serviceContext('tickets-test');
  const service = await start(ctx, { config });
  const served = serve('tickets', 0, [service], ctx);

  const as = async (user: TestUser) => client(served.url, await idp.token(user));
  return {
    url: served.url,
    service,
    idp,
    config,
    anonymous: client(served.url),
    as,
    /** A fresh user with a client, plus a project they own. */
    async owner(name = 'Owner', key = randomKey()) {
      const user = newUser(name);
      const api = await as(user);
      const res = await api.post('/projects', { name: `${name}'s project`, key });
      if (res.status !== 201) throw new Error(`project create failed: ${res.status} ${JSON.stringify(res.body)}`);
      return { user, api, project: res.body as { id: string; key: string; version: number } };
    },
    async stop() {
      await served.stop();
      await database.drop();
      await idp.stop();
    },
  };
}

export type Tickets = Awaited<ReturnType<typeof startTickets>>;

/** Keys are unique per database, but tests also read shared Kafka topics: make them unique there too. */
export const randomKey = () => `T${crypto.randomUUID().replaceAll('-', '').slice(0, 8).toUpperCase().replace(/[^A-Z0-9]/g, 'X')}`;
