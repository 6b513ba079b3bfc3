import { describe, expect, test } from 'bun:test';
import { createKafkaBus } from '@syncro/kit/bus';
import { createLogger } from '@syncro/kit/log';
import { createTestDatabase, eventually, newUser } from '@syncro/testing';
import { freePort } from '@syncro/testing/ports';
import { runToExit } from '@syncro/testing/process';
import { BROKERS } from '../test/harness.ts';
import { loadNotifyConfig } from './config.ts';
import { startMailSink } from './dev/mailSink.ts';

describe('notification service configuration', () => {
  test('defaults give a working local setup (the development mail sink, no push)', () => {
    const c = loadNotifyConfig({});
    expect(c.VAPID_PUBLIC_KEY).toBeUndefined();
    expect(c).toMatchObject({
      PORT: 3004,
      DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/syncro_notify_db',
      KAFKA_GROUP_ID: 'notifications',
      KAFKA_OFFSET_RESET: 'earliest',
      SMTP_URL: 'smtp://127.0.0.1:2525',
      ACTOR_WAIT_MS: 30_000,
    });
  });

  test('the process refuses to start and names every bad variable', async () => {
    const { code, stderr } = await runToExit(new URL('./main.ts', import.meta.url), {
      PORT: 'eighty',
      SMTP_URL: 'http://mail.example',
      UNSUBSCRIBE_SECRET: 'short',
      APP_URL: 'board',
    });
    expect(code).toBe(1);
    expect(stderr).toContain('PORT = "eighty" is invalid');
    expect(stderr).toContain('SMTP_URL = "http://mail.example" is invalid: must be an smtp:// or smtps:// URL');
    expect(stderr).toContain('UNSUBSCRIBE_SECRET = "short" is invalid');
    expect(stderr).toContain('APP_URL = "board" is invalid');
  });

  test('run alone: /health, a user.created becomes a welcome mail, SIGTERM exits', async () => {
    const database = await createTestDatabase('notify_main');
    const sink = await startMailSink();
    const port = freePort();
    const proc = Bun.spawn(['bun', '--no-warnings', new URL('./main.ts', import.meta.url).pathname], {
      env: {
        ...process.env,
        PORT: String(port),
        HOST: '127.0.0.1',
        DATABASE_URL: database.url,
        KAFKA_GROUP_ID: `notifications-main-${crypto.randomUUID()}`,
        KAFKA_OFFSET_RESET: 'latest',
        SMTP_URL: sink.url,
        LOG_LEVEL: 'error',
      },
      stdout: 'ignore',
      stderr: 'pipe',
    });
    const bus = createKafkaBus({ brokers: BROKERS, clientId: 'notify-main-test', logger: createLogger({ service: 'test' }) });
    try {
      await eventually('health with the consumer joined', async () => {
        const res = await fetch(`http://127.0.0.1:${port}/health`).catch(() => null);
        return res?.status === 200 && !JSON.stringify(await res.json()).includes('not joined');
      }, 30_000);
      const u = newUser('Main Welcome');
      const eventId = Bun.randomUUIDv7();
      await bus.publish([
        {
          topic: 'user.created',
          key: u.id,
          value: JSON.stringify({ userId: u.id, email: u.email, name: u.name, locale: 'es', eventId, timestamp: new Date().toISOString() }),
          headers: { 'event-id': eventId, 'event-type': 'user.created', 'schema-version': '1' },
        },
      ]);
      const mail = await eventually('the welcome mail', () => sink.mails.find((m) => m.to.includes(u.email.toLowerCase())));
      expect(mail.subject).toBe('Bienvenido a SyncroBoard');
      proc.kill('SIGTERM');
      expect(await Promise.race([proc.exited, Bun.sleep(10_000).then(() => 'still running')])).toBe(0);
    } finally {
      proc.kill('SIGKILL');
      await bus.close();
      await sink.stop();
      await database.drop();
    }
  }, 60_000);
});
