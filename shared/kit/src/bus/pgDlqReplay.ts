/**
 * @module Puts dead letters back on the bus in the database, as `dlqReplay.ts` does on Kafka: what
 * `<topic>.dlq` holds now goes back to its original topic with its key, value and headers (less the
 * dead-letter ones), and the replay's own position per DLQ and filter is committed after, so a
 * second replay does not repeat the first. A crash between the two repeats the letters once more,
 * which the consumers' inbox makes harmless (at least once, as everywhere).
 */
import postgres from 'postgres';
import type { Logger } from '../log/index.ts';
import type { ReplayResult } from './dlqReplay.ts';
import { createPgBus } from './pgBus.ts';
import type { OutgoingMessage } from './port.ts';
import { DlqHeader } from './runner.ts';
import { topicPrefixFromEnv } from './topics.ts';

export interface PgReplayOptions {
  /** The database holding the bus log (the binary's `BUS_DATABASE_URL`, default database `syncro_bus`). */
  url: string;
  dlqTopic: string;
  group?: string;
  logger: Logger;
  topicPrefix?: string;
}

const DLQ_HEADERS = new Set<string>(Object.values(DlqHeader));

export async function replayDeadLettersOnPostgres({ url, dlqTopic: logicalDlq, group, logger, topicPrefix = topicPrefixFromEnv() }: PgReplayOptions): Promise<ReplayResult> {
  if (!logicalDlq.endsWith('.dlq')) throw new Error(`${logicalDlq} is not a dead-letter topic (<topic>.dlq)`);
  const dlqTopic = topicPrefix + logicalDlq;
  const groupId = `syncro-dlq-replay.${dlqTopic}.${group ?? 'all'}`;
  const sql = postgres(url, { max: 1, onnotice: () => {}, connect_timeout: 5 });
  const bus = createPgBus({ url, logger, topicPrefix, max: 1 });
  try {
    const exists = await sql`select to_regclass('bus_log') is not null as ok`;
    if (!exists[0]!.ok) return { replayed: 0, skipped: 0 };
    // Up to each partition's end now; letters that arrive meanwhile wait for the next replay.
    const letters = await sql<{ partition: number; offset: string; key: string | null; value: string | null; headers: Record<string, string> }[]>`
      select l.partition, l."offset"::text as "offset", l.key, l.value, l.headers
      from bus_partitions p
      left join bus_offsets o on o.group_id = ${groupId} and o.topic = p.topic and o.partition = p.partition
      join bus_log l on l.topic = p.topic and l.partition = p.partition and l."offset" >= coalesce(o."offset", 0) and l."offset" < p.next_offset
      where p.topic = ${dlqTopic}
      order by l.partition, l."offset"`;
    const result: ReplayResult = { replayed: 0, skipped: 0 };
    const out: OutgoingMessage[] = [];
    for (const l of letters) {
      if (group && l.headers[DlqHeader.group] !== group) {
        result.skipped++;
        continue;
      }
      const headers = Object.fromEntries(Object.entries(l.headers).filter(([k]) => !DLQ_HEADERS.has(k)));
      out.push({
        topic: l.headers[DlqHeader.topic] ?? logicalDlq.slice(0, -'.dlq'.length),
        key: l.key ?? '',
        value: l.value ?? '',
        headers: { ...headers, 'dlq-replayed-at': new Date().toISOString() },
      });
    }
    await bus.publish(out);
    result.replayed = out.length;
    // As far as what was read: the end may have moved since.
    const reached = new Map<number, string>();
    for (const l of letters) reached.set(l.partition, String(BigInt(l.offset) + 1n));
    if (reached.size > 0) {
      await sql`
        insert into bus_offsets (group_id, topic, partition, "offset")
        select ${groupId}, ${dlqTopic}, p, o from unnest(${[...reached.keys()]}::int[], ${[...reached.values()]}::bigint[]) as m(p, o)
        on conflict (group_id, topic, partition) do update set "offset" = greatest(bus_offsets."offset", excluded."offset")`;
    }
    return result;
  } finally {
    await bus.close();
    await sql.end({ timeout: 2 });
  }
}
