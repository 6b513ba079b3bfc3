import { brokersFromEnv } from './topics.ts';
import { busSuite } from '@syncro/testing/bus.case';
import { createKafkaBus } from './kafka.ts';
import { replayDeadLetters } from './dlqReplay.ts';
import { createLogger } from '../log/index.ts';

// The real broker: Apache Kafka from infra/kafka in dev and CI, Redpanda under compose.
busSuite(
  'kafka',
  async () => createKafkaBus({ brokers: brokersFromEnv(), clientId: 'bus-suite', logger: createLogger({ test: 'kafka' }) }),
  (dlqTopic, group) => replayDeadLetters({ brokers: brokersFromEnv(), dlqTopic, ...(group ? { group } : {}) }),
);
