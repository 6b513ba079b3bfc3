/** @module The notifications logs that grow with traffic, deleted by age (LOG_RETENTION_MS); the rest of its data is kept. */
import type { RetentionRule } from '@syncro/kit/retention';

export const logRetention: RetentionRule[] = [
  { table: 'inbox', column: 'processed_at' },
  // A message still being retried stays, however old.
  { table: 'deliveries', column: 'created_at', keepWhile: "status = 'pending'" },
];
