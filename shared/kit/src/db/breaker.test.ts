import { expect, test } from 'bun:test';
import { PG_ADMIN_URL } from '@syncro/testing/db';
import { eventually } from '@syncro/testing';
import { createDb } from './index.ts';
import { claimBreakers, DbBreaker } from './breaker.ts';

const refused = Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });

test('a breaker never opens on hearsay: its own probe must confirm the outage', async () => {
  const b = new DbBreaker(PG_ADMIN_URL);
  b.suspect(refused);
  await Bun.sleep(200);
  expect(b.open).toBe(false);
  b.suspect(Object.assign(new Error('duplicate key'), { code: '23505' })); // not a connection failure
  expect(b.open).toBe(false);
  b.dispose();
});

test('opens while its server is down, closes by itself once it is back', async () => {
  const { startThrowawayPostgres } = await import('@syncro/testing/postgres');
  await using pg = await startThrowawayPostgres();
  const b = new DbBreaker(pg.url(), { probeEveryMs: 50 });
  await pg.stop();
  b.suspect(refused);
  await eventually('the breaker to open', () => b.open, 2000);
  await pg.start();
  const back = Date.now();
  await eventually('the breaker to close', () => !b.open, 3000);
  expect(Date.now() - back).toBeLessThan(1000);
  b.dispose();
}, 60_000);

test('each server claims the breakers of the databases opened before it, once; an ended database leaves', async () => {
  claimBreakers(); // whatever this process opened before
  const a = createDb(PG_ADMIN_URL, {});
  expect(claimBreakers()).toEqual([a.$breaker]);
  const b = createDb(PG_ADMIN_URL, {});
  expect(claimBreakers()).toEqual([b.$breaker]);
  await a.$client.end();
  expect(a.$breaker.isDisposed).toBe(true);
  await b.$client.end();
});
