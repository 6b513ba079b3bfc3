/**
 * @module Starts the assignment loop for a test file: a real Ticket Service and a real Assignment
 * Service in this process on port 0, each with its own database and Kafka group, trusting one test
 * IdP. The topics (the test run's namespace) are shared with the other test files of the run, so
 * its consumers start at the topics' end (KAFKA_OFFSET_RESET=latest): a loop sees only the events
 * published while it runs.
 */
import { serve, serviceContext, type Served } from '@syncro/kit/service';
import { client, createTestDatabase, newUser, startTestIdp, type Client, type TestUser } from '@syncro/testing';
import { eventually } from '@syncro/testing';
export { eventually };
import { BROKERS, startTickets, type TicketsClient } from '@syncro/tickets/harness';
import { typedClient, type TypedClient } from '@syncro/testing/typed';
import { loadAssignmentConfig } from '../src/config.ts';
import { start, type AssignmentService, type assignmentPlugin } from '../src/index.ts';

/** The Assignment Service's routes, for a typed client. */
export type AssignmentApp = ReturnType<typeof assignmentPlugin>;
export type AssignmentClient = TypedClient<AssignmentApp>;
/** One user's typed clients of both services. */
export interface TypedApis {
  tickets: TicketsClient;
  assign: AssignmentClient;
}

export { BROKERS };

const LETTERS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';
const randomPrefix = () => `Q${Array.from(crypto.getRandomValues(new Uint8Array(3)), (b) => LETTERS[b % 26]).join('')}`;

export interface LoopOptions {
  brokers?: string[];
  /** The Assignment Service's database elsewhere (a throwaway server); created if missing, not dropped. */
  databaseUrl?: string;
  /** More of the Assignment Service's environment (retry policy, …). */
  env?: Record<string, string>;
}

export async function startLoop(opts: LoopOptions = {}) {
  const brokers = opts.brokers ?? BROKERS;
  const prefix = randomPrefix();
  const idp = await startTestIdp();
  const tickets = await startTickets({ idp, keyPrefix: prefix, brokers });
  const database = opts.databaseUrl ? null : await createTestDatabase('assign_test');
  const config = loadAssignmentConfig({
    DATABASE_URL: opts.databaseUrl ?? database!.url,
    KAFKA_BROKERS: brokers.join(','),
    KAFKA_GROUP_ID: `assignment-test-${crypto.randomUUID()}`,
    KAFKA_OFFSET_RESET: 'latest',
    JWKS_URL: idp.jwksUrl,
    AUTH_ISSUER: idp.issuer,
    AUTH_AUDIENCE: idp.audience,
    OUTBOX_POLL_MS: '200',
    ...opts.env,
  });

  let service: AssignmentService;
  let served: Served | undefined;
  let url = '';
  /** (Re)starts the Assignment Service on the same database and group: a restart, not a new instance. */
  const up = async () => {
    const ctx = serviceContext('assignment-test');
    service = await start(ctx, { config });
    // The same port after a restart: clients made before it keep working.
    served = serve('assignment', served?.port ?? 0, [service], ctx);
    url = served.url;
    await service.consumer.ready;
  };
  await up();

  const as = async (user: TestUser) => ({ tickets: await tickets.as(user), assign: client(url, await idp.token(user)) as Client });
  /** Like `as`, typed from the routes' schemas. */
  const typed = async (user: TestUser): Promise<TypedApis> => ({ tickets: await tickets.typed(user), assign: typedClient<AssignmentApp>(url, await idp.token(user)) });

  return {
    prefix,
    /** The Assignment Service's consumer group (DLQ headers name it). */
    groupId: config.KAFKA_GROUP_ID,
    idp,
    tickets,
    get assignment() {
      return service;
    },
    get url() {
      return url;
    },
    as,
    typed,
    /** A typed Assignment Service client sending `token` as is (none: anonymous). */
    typedWith: (token?: string): AssignmentClient => typedClient<AssignmentApp>(url, token),
    /** The Assignment Service goes away (its consumer, relay and HTTP); the Ticket Service stays. */
    down: () => served!.stop(),
    up,
    /**
     * A project owned by a fresh user with `size - 1` more members, once the Assignment Service's
     * projection knows every one of them (its events travel through Kafka).
     */
    async team(size = 3, name = 'Team') {
      const owner = await tickets.owner(name);
      const users = [owner.user];
      for (let i = 1; i < size; i++) {
        const user = newUser(`${name} member ${i}`);
        const res = await owner.api.post(`/projects/${owner.project.id}/members`, { userId: user.id });
        if (res.status !== 201) throw new Error(`member add failed: ${res.status} ${JSON.stringify(res.body)}`);
        users.push(user);
      }
      const apis = await Promise.all(users.map(as));
      const typedApis = await Promise.all(users.map(typed));
      await eventually('the projection to know the team', async () => {
        const w = await typedApis[0]!.assign.assignment.projects({ id: owner.project.id }).workload.get();
        return w.data?.members.length === size;
      });
      /** `apis`/`owner` raw (for bad input), `typed`/`typedOwner` typed, in `users` order. */
      return { project: owner.project, users, apis, owner: apis[0]!, typed: typedApis, typedOwner: typedApis[0]! };
    },
    async stop() {
      await served?.stop();
      await database?.drop();
      await tickets.stop();
      await idp.stop();
    },
  };
}

export type Loop = Awaited<ReturnType<typeof startLoop>>;
