import { expect, test } from 'bun:test';
import postgres from 'postgres';
import { startThrowawayPostgres } from './postgres.ts';

test('start, write, stop → refused, start → same data, dispose', async () => {
  await using pg = await startThrowawayPostgres();
  const sql = () => postgres(pg.url(), { max: 1, onnotice: () => {}, connect_timeout: 2 });
  const a = sql();
  await a`create table t (v int)`;
  await a`insert into t values (42)`;
  await a.end();

  await pg.stop();
  const b = sql();
  await expect(b`select 1`).rejects.toThrow();
  await b.end();

  await pg.start();
  const c = sql();
  expect([...(await c`select v from t`)]).toEqual([{ v: 42 }]);
  await c.end();
}, 60_000);
