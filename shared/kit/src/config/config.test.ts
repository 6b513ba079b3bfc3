import { describe, expect, test } from 'bun:test';
import * as v from 'valibot';
import { ConfigError, env, loadConfig, loadEdgeConfig } from './index.ts';

const schema = v.object({
  DATABASE_URL: env.url(),
  PORT: env.port(3002),
  KAFKA_BROKERS: env.list('127.0.0.1:9092'),
});

describe('loadConfig', () => {
  test('applies defaults and transforms', () => {
    const c = loadConfig(schema, { DATABASE_URL: 'postgres://x@127.0.0.1/db', PORT: '' });
    expect(c).toEqual({ DATABASE_URL: 'postgres://x@127.0.0.1/db', PORT: 3002, KAFKA_BROKERS: ['127.0.0.1:9092'] });
  });

  test('names every bad variable at once', () => {
    try {
      loadConfig(schema, { PORT: 'eighty' });
      throw new Error('expected a ConfigError');
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      const message = (err as ConfigError).message;
      expect(message).toContain('DATABASE_URL is missing');
      expect(message).toContain('PORT = "eighty" is invalid');
      expect((err as ConfigError).problems).toHaveLength(2);
    }
  });
});

test('edge settings: unset by default; a short METRICS_TOKEN or a bad INTERNAL_PORT is named', () => {
  expect(loadEdgeConfig({})).toEqual({});
  expect(loadEdgeConfig({ METRICS_TOKEN: 'a-long-enough-token', INTERNAL_PORT: '9464' })).toEqual({ METRICS_TOKEN: 'a-long-enough-token', INTERNAL_PORT: 9464 });
  expect(() => loadEdgeConfig({ METRICS_TOKEN: 'short', INTERNAL_PORT: 'x' })).toThrow(/METRICS_TOKEN[\s\S]*INTERNAL_PORT/);
});
