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

describe('metrics of the services in one process', () => {
  test('gauges of one name with different labels are all reported', async () => {
    const { MetricsRegistry } = await import('../metrics/index.ts');
    const m = new MetricsRegistry();
    m.gauge('outbox_backlog', 'Outbox rows not yet published', () => 3, { relay: 'auth' });
    m.gauge('outbox_backlog', 'Outbox rows not yet published', async () => 7, { relay: 'tickets' });
    const text = await m.render();
    expect(text).toContain('outbox_backlog{relay="auth"} 3');
    expect(text).toContain('outbox_backlog{relay="tickets"} 7');
    expect(text.match(/# TYPE outbox_backlog gauge/g)).toHaveLength(1);
  });
});
