import { describe, expect, test } from 'bun:test';
import { runToExit } from '@syncro/testing/process';
import { loadTicketConfig } from './config.ts';

describe('ticket service configuration', () => {
  test('defaults give a working local setup', () => {
    const c = loadTicketConfig({});
    expect(c).toMatchObject({ PORT: 3002, KAFKA_BROKERS: ['127.0.0.1:9092'], BOARD_CACHE: 'redis', AUTH_AUDIENCE: 'syncroboard' });
  });

  test('the process refuses to start and names every bad variable', async () => {
    const { code, stderr: err } = await runToExit(new URL('./main.ts', import.meta.url), { PORT: 'eighty', DATABASE_URL: 'not a url', BOARD_CACHE: 'memcached' });
    expect(code).toBe(1);
    expect(err).toContain('PORT = "eighty" is invalid');
    expect(err).toContain('DATABASE_URL = "not a url" is invalid');
    expect(err).toContain('BOARD_CACHE = "memcached" is invalid');
  });

  test('upstash needs its URL and token', () => {
    expect(() => loadTicketConfig({ BOARD_CACHE: 'upstash' })).toThrow('UPSTASH_REDIS_REST_URL');
  });
});
