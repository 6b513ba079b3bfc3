import { describe, expect, test } from 'bun:test';
import * as v from 'valibot';
import { ConfigError, env, loadConfig } from './index.ts';

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
