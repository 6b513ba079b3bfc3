import { expect, test } from 'bun:test';
import { createLogger } from '../log/index.ts';
import { WorkLoops } from './index.ts';

const logger = createLogger({ service: 'worker-test', level: 'error' });

test('a wake() after a commit runs a round at once, long before the poll; stop() lets the round finish', async () => {
  let rounds = 0;
  const loops = new WorkLoops({ name: 't', pollMs: 60_000, logger, work: async () => (rounds++, false) });
  loops.start();
  await Bun.sleep(20);
  expect(rounds).toBe(1); // the first round, then asleep for a minute
  const at = performance.now();
  loops.wake();
  while (rounds < 2) await Bun.sleep(1);
  expect(performance.now() - at).toBeLessThan(100);
  await loops.stop();
});

test('a wake() that lands during a round is not lost to the sleep after it', async () => {
  let rounds = 0;
  let release!: () => void;
  const loops = new WorkLoops({
    name: 't',
    pollMs: 60_000,
    logger,
    work: async () => {
      rounds++;
      if (rounds === 1) await new Promise<void>((r) => (release = r));
      return false;
    },
  });
  loops.start();
  await Bun.sleep(10);
  loops.wake(); // while round 1 is still working
  release();
  await Bun.sleep(20);
  expect(rounds).toBe(2);
  await loops.stop();
});

test('more work: loops again without sleeping; a failed round is logged and the loop goes on; lanes run side by side', async () => {
  let left = 5;
  let failedOnce = false;
  const busy = new Set<number>();
  let maxBusy = 0;
  let id = 0;
  const loops = new WorkLoops({
    name: 't',
    lanes: 3,
    pollMs: 60_000,
    logger,
    work: async () => {
      const me = id++;
      busy.add(me);
      maxBusy = Math.max(maxBusy, busy.size);
      await Bun.sleep(5);
      busy.delete(me);
      if (!failedOnce) {
        failedOnce = true;
        throw new Error('boom');
      }
      return --left > 0;
    },
  });
  loops.start();
  await Bun.sleep(200);
  expect(left).toBeLessThanOrEqual(0);
  expect(maxBusy).toBe(3);
  await loops.stop();
});
