import { describe, expect, test } from 'bun:test';
import * as v from 'valibot';
import { StrictIsoTimestamp } from './primitives.ts';

describe('StrictIsoTimestamp', () => {
  test('real instants pass, in any offset', () => {
    for (const s of ['2030-01-31T09:00:00Z', '2032-02-29T23:59:59.999+02:00', '0001-01-01T00:00:00Z', '9999-12-31T23:59:59Z']) {
      expect(v.safeParse(StrictIsoTimestamp, s).success, s).toBe(true);
    }
  });

  test('days that do not exist, year 0 and years past 9999 after the offset are refused', () => {
    for (const s of ['0000-01-01T00:00:00Z', '2030-02-31T00:00:00Z', '2031-02-29T00:00:00Z', '1900-02-29T00:00:00Z', '2030-06-31T00:00:00Z', '0001-01-01T00:30:00+01:00', '9999-12-31T23:30:00-01:00']) {
      expect(v.safeParse(StrictIsoTimestamp, s).success, s).toBe(false);
    }
  });
});
