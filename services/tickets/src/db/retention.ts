/** @module The tickets logs that grow with traffic, deleted by age (LOG_RETENTION_MS); the rest of its data is kept. */
import type { RetentionRule } from '@syncro/kit/retention';

export const logRetention: RetentionRule[] = [
  { table: 'inbox', column: 'processed_at' },
  // A delivery still being retried stays, however old; its attempts go with it (cascade).
  { table: 'webhook_deliveries', column: 'created_at', keepWhile: "status = 'pending'" },
  { table: 'integration_deliveries', column: 'received_at' },
];
