import { describe, expect, test } from 'bun:test';
import { backoffSchedule } from './webhookSender.ts';

describe('the outbound retry schedule', () => {
  test('doubles from 30 s, stays at 6 h, and the default 14 attempts span about a day', () => {
    const waits = backoffSchedule({ baseBackoffMs: 30_000, maxBackoffMs: 6 * 3_600_000, maxAttempts: 14 });
    expect(waits).toHaveLength(13);
    expect(waits.slice(0, 3)).toEqual([30_000, 60_000, 120_000]);
    expect(waits.at(-1)).toBe(6 * 3_600_000);
    const hours = waits.reduce((a, b) => a + b, 0) / 3_600_000;
    expect(hours).toBeGreaterThan(20);
    expect(hours).toBeLessThan(30);
  });
});
