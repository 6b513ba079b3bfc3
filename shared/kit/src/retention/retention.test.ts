import { afterAll, beforeAll, expect, test } from 'bun:test';
import { createTestDatabase } from '@syncro/testing';
import postgres from 'postgres';
import * as v from 'valibot';
import { createLogger } from '../log/index.ts';
import { MetricsRegistry } from '../metrics/index.ts';
import { DAY_MS, DEFAULT_LOG_RETENTION_MS, RetentionSweeper, logRetentionEnv } from './index.ts';

let dbh: Awaited<ReturnType<typeof createTestDatabase>>;
let sql: postgres.Sql;
const logger = createLogger({ svc: 'retention-test' }, { sink: () => {} });

beforeAll(async () => {
  dbh = await createTestDatabase('retention');
  sql = postgres(dbh.url, { max: 2, onnotice: () => {} });
  await sql`create table log_rows (id int primary key, status text not null, at timestamptz not null)`;
});
afterAll(async () => {
  await sql.end();
  await dbh.drop();
});

test('rows past the retention go in batches; young rows and rows still in work stay; the metric counts them', async () => {
  await sql`truncate log_rows`;
  // 0–11: 90 days old (ids 0, 3, 6, 9 still pending); 100–104: a day old.
  await sql`insert into log_rows select i, case when i % 3 = 0 then 'pending' else 'sent' end, now() - interval '90 days' from generate_series(0, 11) i`;
  await sql`insert into log_rows select i, 'sent', now() - interval '1 day' from generate_series(100, 104) i`;
  const metrics = new MetricsRegistry();
  const sweeper = new RetentionSweeper({
    name: 'svc',
    sql,
    logger,
    metrics,
    keepMs: DEFAULT_LOG_RETENTION_MS,
    batch: 5,
    rules: [{ table: 'log_rows', column: 'at', keepWhile: "status = 'pending'" }],
  });
  // 8 old rows are done: a batch of 5 (more to do), then 3 (done).
  expect(await sweeper.sweep()).toEqual({ deleted: { log_rows: 5 }, more: true });
  expect(await sweeper.sweep()).toEqual({ deleted: { log_rows: 3 }, more: false });
  expect(await sweeper.sweep()).toEqual({ deleted: { log_rows: 0 }, more: false });
  const left = (await sql`select id from log_rows order by id`).map((r) => r.id);
  expect(left).toEqual([0, 3, 6, 9, 100, 101, 102, 103, 104]);
  expect(await metrics.render()).toContain('retention_deleted_rows_total{svc="svc",table="log_rows"} 8');
});

test('the running sweeper drains a backlog without waiting for its next hour', async () => {
  await sql`truncate log_rows`;
  await sql`insert into log_rows select i, 'sent', now() - interval '40 days' from generate_series(1, 23) i`;
  const sweeper = new RetentionSweeper({ name: 'svc', sql, logger, keepMs: 31 * DAY_MS, batch: 4, everyMs: 3_600_000, rules: [{ table: 'log_rows', column: 'at' }] });
  sweeper.start();
  const deadline = Date.now() + 5000;
  while ((await sql`select count(*)::int as n from log_rows`)[0]!.n > 0 && Date.now() < deadline) await Bun.sleep(20);
  await sweeper.stop();
  expect((await sql`select count(*)::int as n from log_rows`)[0]!.n).toBe(0);
});

test('a retention shorter than the dead letters are kept is refused, in the config and in the sweeper', () => {
  const schema = v.object(logRetentionEnv());
  expect(v.parse(schema, {}).LOG_RETENTION_MS).toBe(DEFAULT_LOG_RETENTION_MS);
  const short = v.safeParse(schema, { LOG_RETENTION_MS: String(7 * DAY_MS) });
  expect(short.success).toBe(false);
  expect(short.issues?.[0]?.message).toContain('at least');
  expect(() => new RetentionSweeper({ name: 'svc', sql, logger, keepMs: DAY_MS, rules: [] })).toThrow('at least 31 days');
  expect(() => new RetentionSweeper({ name: 'svc', sql, logger, keepMs: DEFAULT_LOG_RETENTION_MS, rules: [{ table: 'x; drop table y', column: 'at' }] })).toThrow('bad identifier');
});
