/**
 * @module Retention for the logs a service keeps beside its data (the inbox, delivery logs): rows
 * older than `keepMs` are deleted in small batches, so a sweep never holds a long lock or a long
 * transaction, and a backlog (a first sweep after months) drains over a few rounds instead of one.
 *
 * The default keep (`LOG_RETENTION_MS`, 60 days) and its floor (31 days) are longer than the dead
 * letter topics keep a message (30 days): a replayed dead letter still finds the row that makes its
 * second delivery change nothing.
 */
import type { Sql } from 'postgres';
import * as v from 'valibot';
import type { Logger } from '../log/index.ts';
import type { MetricsRegistry } from '../metrics/index.ts';
import { WorkLoops } from '../worker/index.ts';

export const DAY_MS = 86_400_000;
/** Longer than the DLQ topics' 30 days (redpanda/topics.conf): see the module comment. */
export const MIN_LOG_RETENTION_MS = 31 * DAY_MS;
export const DEFAULT_LOG_RETENTION_MS = 60 * DAY_MS;

/** `LOG_RETENTION_MS` for a service's config schema: a number of ms, at least the floor. */
export const logRetentionEnv = () => ({
  LOG_RETENTION_MS: v.optional(
    v.pipe(
      v.string(),
      v.transform(Number),
      v.number('must be a number'),
      v.minValue(MIN_LOG_RETENTION_MS, `must be at least ${MIN_LOG_RETENTION_MS} ms (31 days): longer than dead letters are kept`),
    ),
    String(DEFAULT_LOG_RETENTION_MS),
  ),
});

export interface RetentionRule {
  table: string;
  /** The timestamp column that ages the row. */
  column: string;
  /** Rows this SQL condition (code, never input) keeps whatever their age, e.g. `status = 'pending'`. */
  keepWhile?: string;
}

export interface RetentionOptions {
  /** The service, for the metric's label and the log (several share one process in the all-in-one). */
  name: string;
  sql: Sql;
  logger: Logger;
  metrics?: MetricsRegistry;
  rules: RetentionRule[];
  keepMs: number;
  /** Between sweeps (default hourly); a sweep that hit the batch size goes on at once. */
  everyMs?: number;
  batch?: number;
}

const IDENT = /^[a-z_][a-z0-9_]*$/;

export class RetentionSweeper {
  private readonly loops: WorkLoops;
  private readonly deleted;

  constructor(private readonly o: RetentionOptions) {
    if (o.keepMs < MIN_LOG_RETENTION_MS) throw new Error(`log retention must be at least ${MIN_LOG_RETENTION_MS / DAY_MS} days, got ${o.keepMs} ms`);
    for (const r of o.rules) if (!IDENT.test(r.table) || !IDENT.test(r.column)) throw new Error(`retention rule names a bad identifier: ${r.table}.${r.column}`);
    this.loops = new WorkLoops({ name: `${o.name} retention`, pollMs: o.everyMs ?? 3_600_000, logger: o.logger, work: async () => (await this.sweep()).more });
    this.deleted = o.metrics?.counter('retention_deleted_rows_total', 'Rows deleted for their age, by service and table');
  }

  start() {
    this.loops.start();
  }

  async stop() {
    await this.loops.stop();
  }

  /** One batch per rule. `more`: some table still has rows past the cutoff. */
  async sweep(): Promise<{ deleted: Record<string, number>; more: boolean }> {
    const batch = this.o.batch ?? 5000;
    const deleted: Record<string, number> = {};
    let more = false;
    for (const r of this.o.rules) {
      // ctid batches: no index is needed on the age column for a bounded delete.
      const rows = await this.o.sql.unsafe(
        `delete from ${r.table} where ctid = any(array(
           select ctid from ${r.table} where ${r.column} < now() - $1 * interval '1 millisecond'${r.keepWhile ? ` and not (${r.keepWhile})` : ''}
           limit ${batch}))`,
        [this.o.keepMs],
      );
      deleted[r.table] = rows.count;
      if (rows.count > 0) {
        this.deleted?.inc({ svc: this.o.name, table: r.table }, rows.count);
        this.o.logger.info('old log rows deleted', { table: r.table, rows: rows.count });
      }
      if (rows.count >= batch) more = true;
    }
    return { deleted, more };
  }
}
