import { describe, expect, test } from 'bun:test';
import { createFreshReader } from './freshReader.ts';

describe('fresh reader', () => {
  test('callers share reads, but never one that started before they asked', async () => {
    let value = 0;
    const starts: number[] = [];
    const reader = createFreshReader(async () => {
      starts.push(value);
      const seen = value;
      await Bun.sleep(20);
      return seen;
    });
    const first = reader.read('k'); // starts read #1, sees 0
    value = 1; // a change lands while read #1 is in flight
    const waiting = Array.from({ length: 10 }, () => reader.read('k')); // must not get read #1's 0
    expect(await first).toBe(0);
    expect(await Promise.all(waiting)).toEqual(Array(10).fill(1));
    expect(starts).toEqual([0, 1]); // eleven callers, two reads
  });

  test('a failed read fails its callers only; the next read is attempted', async () => {
    let calls = 0;
    const reader = createFreshReader(async () => {
      const call = ++calls;
      await Bun.sleep(5);
      if (call === 1) throw new Error('down');
      return 'ok';
    });
    const a = reader.read('k');
    const b = reader.read('k');
    await expect(a).rejects.toThrow('down');
    expect(await b).toBe('ok');
    expect(await reader.read('k')).toBe('ok');
  });
});

describe('fresh reader spacing', () => {
  test('under constant demand, reads are spaced by the interval and still start after each caller', async () => {
    let reads = 0;
    const reader = createFreshReader(async () => {
      reads++;
      await Bun.sleep(1);
      return performance.now();
    }, 20);
    const started = performance.now();
    const results: Promise<void>[] = [];
    while (performance.now() - started < 200) {
      const asked = performance.now();
      results.push(reader.read('k').then((readAt) => expect(readAt).toBeGreaterThanOrEqual(asked)));
      await Bun.sleep(1);
    }
    await Promise.all(results);
    expect(results.length).toBeGreaterThan(50);
    expect(reads).toBeLessThanOrEqual(12); // ~200 ms / 20 ms, instead of one per caller
  });
});
