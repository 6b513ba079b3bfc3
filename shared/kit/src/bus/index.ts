/** @module The bus: port, Kafka and Postgres adapters, consumer runner and topic definitions. */
export * from './port.ts';
export * from './kafka.ts';
export * from './runner.ts';
export * from './dlqReplay.ts';
export * from './consumerConfig.ts';
export * from './topics.ts';
export * from './pgBus.ts';
export * from './pgDlqReplay.ts';
