/**
 * @module Dead letters, for operators.
 *
 *   bun --no-warnings shared/kit/src/bus/dlq.cli.ts replay <topic>.dlq [--group <consumer group>]
 *
 * Republishes what the DLQ holds now to the original topic (see dlqReplay.ts); with --group, only
 * what that consumer group dead-lettered. KAFKA_BROKERS as for the services (127.0.0.1:9092), and
 * KAFKA_TOPIC_PREFIX (the topic namespace, empty for the real system) likewise. With BUS_DATABASE_URL
 * (and no KAFKA_BROKERS) the letters are on the bus in that database, as the binary's embedded default keeps them.
 */
import { createLogger } from '../log/index.ts';
import { replayDeadLetters } from './dlqReplay.ts';
import { replayDeadLettersOnPostgres } from './pgDlqReplay.ts';

const [command, dlqTopic, ...rest] = process.argv.slice(2);
const groupAt = rest.indexOf('--group');
const group = groupAt >= 0 ? rest[groupAt + 1] : undefined;
if (command !== 'replay' || !dlqTopic || (groupAt >= 0 && !group)) {
  console.error('usage: dlq.cli.ts replay <topic>.dlq [--group <consumer group>]   (KAFKA_BROKERS, or BUS_DATABASE_URL for the bus in a database)');
  process.exit(2);
}
const brokers = (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(',');
const busDb = process.env.KAFKA_BROKERS ? undefined : process.env.BUS_DATABASE_URL;
try {
  const result = busDb
    ? await replayDeadLettersOnPostgres({ url: busDb, dlqTopic, logger: createLogger({ cli: 'dlq' }), ...(group ? { group } : {}) })
    : await replayDeadLetters({ brokers, dlqTopic, ...(group ? { group } : {}) });
  console.log(`${dlqTopic}: replayed ${result.replayed}${group ? `, skipped ${result.skipped} of other groups` : ''}`);
} catch (err) {
  console.error((err as Error).message);
  process.exit(1);
}
