import { describe, expect, test } from 'bun:test';
import { freePort } from '@syncro/testing/ports';
import { runToExit } from '@syncro/testing/process';
import { eventually, newUser, startTestIdp } from '@syncro/testing';
import { openSocket } from '../test/harness.ts';
import { loadRealtimeConfig } from './config.ts';

describe('realtime hub configuration and process', () => {
  test('defaults give a working local setup', () => {
    expect(loadRealtimeConfig({})).toMatchObject({
      PORT: 3005,
      KAFKA_BROKERS: ['127.0.0.1:9092'],
      KAFKA_GROUP_ID: 'realtime-bridge',
      REDIS_URL: 'redis://127.0.0.1:6379',
      TICKETS_URL: 'http://127.0.0.1:3002',
      BRIDGE: '1',
      WS_ALLOWED_ORIGINS: [],
    });
    expect(loadRealtimeConfig({ WS_ALLOWED_ORIGINS: 'https://a.example, https://b.example' }).WS_ALLOWED_ORIGINS).toEqual(['https://a.example', 'https://b.example']);
  });

  test('the process refuses to start and names every bad variable', async () => {
    const { code, stderr } = await runToExit(new URL('./main.ts', import.meta.url), { PORT: 'eighty', TICKETS_URL: 'nowhere', BRIDGE: 'yes' });
    expect(code).toBe(1);
    expect(stderr).toContain('PORT = "eighty" is invalid');
    expect(stderr).toContain('TICKETS_URL = "nowhere" is invalid');
    expect(stderr).toContain('BRIDGE = "yes" is invalid');
  });

  test('run alone, it serves /health and sockets, and SIGTERM closes them (1012) and exits', async () => {
    const idp = await startTestIdp();
    const port = freePort();
    const proc = Bun.spawn(['bun', new URL('./main.ts', import.meta.url).pathname], {
      env: { ...process.env, PORT: String(port), HOST: '127.0.0.1', BRIDGE: '0', JWKS_URL: idp.jwksUrl, AUTH_ISSUER: idp.issuer, AUTH_AUDIENCE: idp.audience, LOG_LEVEL: 'error' },
      stdout: 'ignore',
      stderr: 'pipe',
    });
    try {
      await eventually('health', async () => (await fetch(`http://127.0.0.1:${port}/health`).catch(() => null))?.status === 200);
      const s = await openSocket(`ws://127.0.0.1:${port}/ws`, { authorization: `Bearer ${await idp.token(newUser('Ops'))}` });
      s.send('ping');
      await s.next('pong');
      proc.kill('SIGTERM');
      expect((await s.closed).code).toBe(1012);
      expect(await Promise.race([proc.exited, Bun.sleep(5000).then(() => 'still running')])).toBe(0);
    } finally {
      proc.kill('SIGKILL');
      await idp.stop();
    }
  }, 30_000);
});
