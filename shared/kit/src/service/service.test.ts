import { describe, expect, test } from 'bun:test';
import { Elysia } from 'elysia';
import { mergeChecks, type RunningService } from './index.ts';

const service = (name: string, names: string[]): RunningService => ({
  name,
  plugin: new Elysia(),
  checks: Object.fromEntries(names.map((n) => [n, { critical: n === 'postgres', check: async () => {} }])),
  stop: async () => {},
});

describe('health checks of the services in one process', () => {
  test('one service keeps its names; several are prefixed so none hides another', () => {
    expect(Object.keys(mergeChecks([service('tickets', ['postgres', 'kafka'])]))).toEqual(['postgres', 'kafka']);
    const merged = mergeChecks([service('auth', ['postgres', 'kafka']), service('tickets', ['postgres', 'redis'])]);
    expect(Object.keys(merged)).toEqual(['auth.postgres', 'auth.kafka', 'tickets.postgres', 'tickets.redis']);
    expect(merged['auth.postgres']!.critical).toBe(true);
  });
});
