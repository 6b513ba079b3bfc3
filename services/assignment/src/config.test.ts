import { describe, expect, test } from 'bun:test';
import { runToExit } from '@syncro/testing/process';
import { loadAssignmentConfig } from './config.ts';

describe('assignment service configuration', () => {
  test('defaults give a working local setup', () => {
    const c = loadAssignmentConfig({});
    expect(c).toMatchObject({
      PORT: 3003,
      DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/syncro_assign_db',
      KAFKA_BROKERS: ['127.0.0.1:9092'],
      KAFKA_GROUP_ID: 'assignment',
      KAFKA_OFFSET_RESET: 'earliest',
      AUTH_AUDIENCE: 'syncroboard',
    });
  });

  test('the process refuses to start and names every bad variable', async () => {
    const { code, stderr: err } = await runToExit(new URL('./main.ts', import.meta.url), { PORT: 'eighty', DATABASE_URL: 'not a url', KAFKA_OFFSET_RESET: 'middle' });
    expect(code).toBe(1);
    expect(err).toContain('PORT = "eighty" is invalid');
    expect(err).toContain('DATABASE_URL = "not a url" is invalid');
    expect(err).toContain('KAFKA_OFFSET_RESET = "middle" is invalid');
  });
});
