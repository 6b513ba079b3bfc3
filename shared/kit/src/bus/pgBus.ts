/**
 * @module The bus port on Postgres, for one machine: the log is a table, durable when `publish`
 * resolves (the commit is the acknowledgement). Kafka's model kept as it is, so the runner above
 * behaves the same: topics of `partitions` partitions, a key always in one partition, offsets per
 * partition without gaps and visible in order (the partition's row lock is held to the commit),
 * per-group committed positions, one member of a group per partition at a time.
 *
 * Group membership is a session advisory lock per (group, topic, partition) on the subscription's
 * own connection: a member that dies loses its locks with its session, and another one takes the
 * partitions on its next round. New messages wake subscribers through LISTEN/NOTIFY (and directly
 * within this process); a round every `pollMs` covers a lost notification.
 */
import postgres from 'postgres';
import type { Logger } from '../log/index.ts';
import type { EventBus, IncomingMessage, OutgoingMessage, SubscribeOptions, Subscription } from './port.ts';
import { topicPrefixFromEnv } from './topics.ts';

export interface PgBusOptions {
  /** The database holding the log (its own, e.g. `syncro_bus`, or any service's). */
  url: string;
  logger: Logger;
  /** See `KafkaBusOptions.topicPrefix`; default env KAFKA_TOPIC_PREFIX. */
  topicPrefix?: string;
  /** Partitions of every topic (side by side for consumers, each in order); default 8. */
  partitions?: number;
  /** The fallback round of a subscriber that heard nothing; default 1000 ms. */
  pollMs?: number;
  /** Messages older than this are deleted, read or not, as a topic's retention.ms; default 7 days. */
  retentionMs?: number;
  /** Messages fetched per partition and round. */
  batchSize?: number;
  /** Connections of the shared pool (publish, fetch, commit); each subscription adds one of its own, and LISTEN one. */
  max?: number;
}

const CHANNEL = 'syncro_bus';
const SCHEMA_LOCK = 0x5379_6e63_4275_73n; // "SyncBus": serializes the CREATE TABLEs of racing processes

/** FNV-1a, unsigned 32 bits: any stable hash does, as long as one key always lands in one partition. */
const fnv = (s: string) => {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return h >>> 0;
};

export const partitionOf = (key: string, partitions: number) => fnv(key) % partitions;

interface Row {
  topic: string;
  partition: number;
  offset: string;
  key: string | null;
  value: string | null;
  headers: Record<string, string>;
}

const withTimeout = <T>(p: Promise<T>, ms: number, what: string) => {
  let timer: Timer | undefined;
  return Promise.race([p, new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what}: no answer within ${ms} ms`)), ms)))]).finally(() =>
    clearTimeout(timer),
  );
};

export function createPgBus(opts: PgBusOptions): EventBus {
  const { url, topicPrefix = topicPrefixFromEnv(), partitions = 8, pollMs = 1000, retentionMs = 7 * 86_400_000, batchSize = 100, max = 10 } = opts;
  const log = opts.logger.child({ component: 'pg-bus' });
  const sql = postgres(url, { max, onnotice: () => {}, connect_timeout: 5 });
  const physical = (t: string) => topicPrefix + t;
  const logical = (t: string) => (topicPrefix && t.startsWith(topicPrefix) ? t.slice(topicPrefix.length) : t);
  /** Subscribers of this process, woken at once by a local publish. */
  const local = new Set<{ topics: Set<string>; wake: () => void }>();
  let closed = false;

  let ready: Promise<void> | null = null;
  const schema = () =>
    (ready ??= sql
      .begin(async (tx) => {
        await tx`select pg_advisory_xact_lock(${String(SCHEMA_LOCK)})`;
        await tx`create table if not exists bus_partitions (topic text not null, partition int not null, next_offset bigint not null, primary key (topic, partition))`;
        await tx`create table if not exists bus_log (
          topic text not null, partition int not null, "offset" bigint not null,
          key text, value text, headers jsonb not null default '{}', created_at timestamptz not null default now(),
          primary key (topic, partition, "offset"))`;
        await tx`create index if not exists bus_log_created_at on bus_log (created_at)`;
        await tx`create table if not exists bus_offsets (group_id text not null, topic text not null, partition int not null, "offset" bigint not null, primary key (group_id, topic, partition))`;
      })
      .then(() => {})
      .catch((err) => {
        ready = null;
        throw err;
      }));

  let listening: Promise<unknown> | null = null;
  const listen = () =>
    (listening ??= sql
      .listen(CHANNEL, (topic) => {
        for (const s of local) if (s.topics.has(topic)) s.wake();
      })
      .catch((err) => {
        listening = null;
        throw err;
      }));

  let lastPrune = 0;
  const prune = () => {
    if (Date.now() - lastPrune < 60_000) return;
    lastPrune = Date.now();
    sql`delete from bus_log where created_at < now() - ${retentionMs / 1000} * interval '1 second'`.catch((err) => log.warn('pruning the bus log failed', { err }));
  };

  return {
    async publish(messages: OutgoingMessage[]) {
      if (messages.length === 0) return;
      await schema();
      // Runs per partition in the caller's order; partitions locked in one order (no deadlock between publishers).
      const runs = new Map<string, { topic: string; partition: number; messages: OutgoingMessage[] }>();
      for (const m of messages) {
        const topic = physical(m.topic);
        const partition = partitionOf(m.key, partitions);
        const id = `${topic}\u0000${partition}`;
        const run = runs.get(id) ?? runs.set(id, { topic, partition, messages: [] }).get(id)!;
        run.messages.push(m);
      }
      const ordered = [...runs.values()].sort((a, b) => (a.topic < b.topic ? -1 : a.topic > b.topic ? 1 : a.partition - b.partition));
      const rows = ordered.flatMap((r) => r.messages.map((m, i) => ({ topic: r.topic, partition: r.partition, i, m })));
      // One statement: each partition's next offset bumped by its run (its row locked to the commit,
      // so offsets become visible in order), and the run written at the offsets it got.
      await sql`
        with runs as (
          select * from unnest(${ordered.map((r) => r.topic)}::text[], ${ordered.map((r) => r.partition)}::int[], ${ordered.map((r) => r.messages.length)}::int[]) with ordinality as r(topic, partition, n, ord)),
        bumped as (
          insert into bus_partitions (topic, partition, next_offset) select topic, partition, n from runs order by ord
          on conflict (topic, partition) do update set next_offset = bus_partitions.next_offset + excluded.next_offset
          returning topic, partition, next_offset)
        insert into bus_log (topic, partition, "offset", key, value, headers)
        select m.topic, m.partition, b.next_offset - r.n + m.i, m.key, m.value, m.headers::jsonb
        from unnest(${rows.map((r) => r.topic)}::text[], ${rows.map((r) => r.partition)}::int[], ${rows.map((r) => r.i)}::int[],
                    ${rows.map((r) => r.m.key)}::text[], ${rows.map((r) => r.m.value)}::text[], ${rows.map((r) => JSON.stringify(r.m.headers))}::text[])
             as m(topic, partition, i, key, value, headers)
        join bumped b using (topic, partition) join runs r using (topic, partition)`;
      // After the commit: a lost notification costs only the subscribers' polling interval.
      await sql`select pg_notify(${CHANNEL}, t) from unnest(${[...new Set(ordered.map((r) => r.topic))]}::text[]) t`.catch(() => {});
      for (const s of local) if (ordered.some((r) => s.topics.has(r.topic))) s.wake();
      prune();
    },

    async subscribe(options: SubscribeOptions): Promise<Subscription> {
      const { groupId, fromBeginning = true, fromNow = false, concurrency = 8, handle } = options;
      const topics = options.topics.map(physical);
      await schema();
      await listen();
      // Where a partition without a committed position starts. Partitions that exist now start at
      // their end unless `fromBeginning`; one created later holds only what came after this call.
      const ends = new Map<string, string>();
      if (fromNow || !fromBeginning) {
        for (const r of await sql<{ topic: string; partition: number; next: string }[]>`
          select topic, partition, next_offset::text as next from bus_partitions where topic = any(${topics})`) {
          ends.set(`${r.topic}\u0000${r.partition}`, r.next);
        }
      }
      /** Its own session: the advisory locks that make this member the owner of its partitions. */
      const member = postgres(url, { max: 1, onnotice: () => {}, connect_timeout: 5, idle_timeout: 0 });
      const owned = new Map<string, { topic: string; partition: number; position: bigint; busy: boolean; resumeAt: number }>();
      let stopped = false;
      let lastRound = performance.now();
      let wakeUp: (() => void) | null = null;
      let woken = false;
      const wake = () => {
        woken = true;
        wakeUp?.();
      };
      const me = { topics: new Set(topics), wake };
      local.add(me);
      const inFlight = new Set<Promise<void>>();
      // Two int4 keys: the group and the partition (pg_locks shows them as classid and objid, objsubid 2).
      const groupKey = fnv(groupId) | 0;
      const partKey = (topic: string, partition: number) => fnv(`${topic}\u0000${partition}`) | 0;

      /** Claims free partitions, and drops any whose lock this session no longer holds (it reconnected). */
      let verifiedAt = 0;
      const claim = async () => {
        // Locks go only with the session (a reconnect): checked once per poll interval, not per round.
        if (owned.size && performance.now() - verifiedAt > pollMs) {
          const held = new Set(
            (await member<{ k: string }[]>`
              select objid::text as k from pg_locks
              where locktype = 'advisory' and objsubid = 2 and pid = pg_backend_pid() and classid = ${String(groupKey >>> 0)}::oid`).map((r) => r.k),
          );
          verifiedAt = performance.now();
          for (const [id, p] of owned) if (!held.has(String(partKey(p.topic, p.partition) >>> 0))) owned.delete(id);
        }
        const all = await member<{ topic: string; partition: number }[]>`select topic, partition from bus_partitions where topic = any(${topics})`;
        const free = all.filter((p) => !owned.has(`${p.topic}\u0000${p.partition}`));
        if (free.length === 0) return;
        const won = await member<{ topic: string; partition: number }[]>`
          select topic, partition from unnest(${free.map((p) => p.topic)}::text[], ${free.map((p) => p.partition)}::int[], ${free.map((p) => partKey(p.topic, p.partition))}::int[]) as f(topic, partition, k)
          where pg_try_advisory_lock(${groupKey}::int, k)`;
        if (won.length === 0) return;
        const starts = won.map((p) => (fromBeginning && !fromNow ? '0' : (ends.get(`${p.topic}\u0000${p.partition}`) ?? '0')));
        const positions = await sql<{ topic: string; partition: number; offset: string }[]>`
          with wanted as (select * from unnest(${won.map((p) => p.topic)}::text[], ${won.map((p) => p.partition)}::int[], ${starts}::bigint[]) as w(topic, partition, start)),
          added as (
            insert into bus_offsets (group_id, topic, partition, "offset") select ${groupId}, topic, partition, start from wanted
            on conflict do nothing returning topic, partition, "offset")
          select topic, partition, "offset"::text from added
          union all
          select o.topic, o.partition, o."offset"::text from bus_offsets o join wanted w using (topic, partition) where o.group_id = ${groupId}`;
        for (const r of positions) owned.set(`${r.topic}\u0000${r.partition}`, { topic: r.topic, partition: r.partition, position: BigInt(r.offset), busy: false, resumeAt: 0 });
      };

      /** One partition's batch, in order; the position moves (and is committed) past what is done. */
      const work = async (p: { topic: string; partition: number; position: bigint; busy: boolean; resumeAt: number }, rows: Row[]) => {
        let done: bigint | null = null;
        try {
          for (const r of rows) {
            if (stopped || owned.get(`${p.topic}\u0000${p.partition}`) !== p) break;
            const message: IncomingMessage = { topic: logical(r.topic), partition: r.partition, offset: r.offset, key: r.key, value: r.value, headers: r.headers ?? {} };
            let outcome: Awaited<ReturnType<typeof handle>>;
            try {
              outcome = await handle(message);
            } catch (err) {
              log.warn('message handling failed; retrying it', { groupId, topic: message.topic, partition: r.partition, offset: r.offset, err });
              outcome = { retryInMs: 1000 };
            }
            if (outcome) {
              p.resumeAt = performance.now() + outcome.retryInMs;
              setTimeout(wake, outcome.retryInMs);
              break;
            }
            done = BigInt(r.offset) + 1n;
            p.position = done;
          }
          if (done !== null) {
            await sql`update bus_offsets set "offset" = ${String(done)} where group_id = ${groupId} and topic = ${p.topic} and partition = ${p.partition} and "offset" < ${String(done)}`.catch((err) =>
              // Committed with the next batch, or redelivered to the next owner (the inbox deduplicates).
              log.debug('commit failed', { groupId, topic: p.topic, partition: p.partition, err }),
            );
          }
        } finally {
          p.busy = false;
          if (rows.length === batchSize) wake(); // more may be waiting
        }
      };

      const round = async () => {
        await claim();
        const ready = [...owned.values()].filter((p) => !p.busy && p.resumeAt <= performance.now());
        if (ready.length === 0) return;
        const rows = await sql<Row[]>`
          select p.topic, p.partition, m."offset"::text as "offset", m.key, m.value, m.headers
          from unnest(${ready.map((p) => p.topic)}::text[], ${ready.map((p) => p.partition)}::int[], ${ready.map((p) => String(p.position))}::bigint[]) as p(topic, partition, pos)
          cross join lateral (
            select l."offset", l.key, l.value, l.headers from bus_log l
            -- ">=": a position whose messages retention deleted goes on from the oldest one kept
            where l.topic = p.topic and l.partition = p.partition and l."offset" >= p.pos
            order by l."offset" limit ${batchSize}) m
          order by p.topic, p.partition, m."offset"`;
        const batches = new Map<string, Row[]>();
        for (const r of rows) {
          const id = `${r.topic}\u0000${r.partition}`;
          (batches.get(id) ?? batches.set(id, []).get(id)!).push(r);
        }
        for (const [id, batch] of batches) {
          const p = owned.get(id);
          if (!p || p.busy) continue;
          while (inFlight.size >= concurrency) await Promise.race(inFlight);
          p.busy = true;
          const job: Promise<void> = work(p, batch).finally(() => inFlight.delete(job));
          inFlight.add(job);
        }
      };

      let failing = false;
      const loop = (async () => {
        while (!stopped) {
          woken = false;
          try {
            await round();
            lastRound = performance.now();
            if (failing) log.info('bus database answers again', { groupId });
            failing = false;
          } catch (err) {
            // One line per outage, not one per round.
            if (!stopped && !failing) log.warn('bus round failed; retrying until the database answers', { groupId, err });
            failing = true;
            await Bun.sleep(500);
          }
          if (stopped || woken) continue;
          await new Promise<void>((resolve) => {
            const timer = setTimeout(resolve, pollMs);
            wakeUp = () => {
              clearTimeout(timer);
              resolve();
            };
          });
          wakeUp = null;
        }
      })();

      return {
        async check() {
          if (stopped) throw new Error(`subscription of group ${groupId} is stopped`);
          if (performance.now() - lastRound > pollMs + 5000) throw new Error(`group ${groupId} has not polled for ${Math.round(performance.now() - lastRound)} ms`);
          await withTimeout(member`select 1`, 1000, 'bus database');
        },
        async stop() {
          if (stopped) return;
          stopped = true;
          local.delete(me);
          wakeUp?.();
          await Promise.race([Promise.all([loop, ...inFlight]), Bun.sleep(1500)]);
          owned.clear();
          await member.end({ timeout: 1 }); // the session ends, and its locks with it
        },
      };
    },

    check: async () => {
      await withTimeout(sql`select 1`, 1000, 'bus database');
    },

    async close() {
      if (closed) return;
      closed = true;
      local.clear();
      await sql.end({ timeout: 2 });
    },
  };
}
