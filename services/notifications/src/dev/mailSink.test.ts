import { expect, test } from 'bun:test';
import { eventually } from '@syncro/testing';
import { freePorts } from '@syncro/testing/ports';
import nodemailer from 'nodemailer';

test('the development sink run as a command: accepts any mail over SMTP and lists it over HTTP', async () => {
  const [smtpPort, httpPort] = freePorts(2) as [number, number];
  const proc = Bun.spawn(['bun', new URL('./mailSink.ts', import.meta.url).pathname], {
    env: { ...process.env, MAIL_SINK_SMTP_PORT: String(smtpPort), MAIL_SINK_HTTP_PORT: String(httpPort) },
    stdout: 'pipe',
    stderr: 'pipe',
  });
  try {
    await eventually('the HTTP page', async () => (await fetch(`http://127.0.0.1:${httpPort}/`).catch(() => null))?.status === 200);
    const transport = nodemailer.createTransport({ host: '127.0.0.1', port: smtpPort, secure: false });
    await transport.sendMail({ from: 'a@example.test', to: 'b@example.test', subject: 'Hola <sink>', text: 'cuerpo', html: '<p>cuerpo</p>' });
    transport.close();
    const list = await (await fetch(`http://127.0.0.1:${httpPort}/mails`)).json();
    expect(list).toMatchObject([{ id: 0, to: ['b@example.test'], subject: 'Hola <sink>', text: 'cuerpo' }]);
    expect(await (await fetch(`http://127.0.0.1:${httpPort}/`)).text()).toContain('Hola &#60;sink&#62;');
    expect(await (await fetch(`http://127.0.0.1:${httpPort}/mails/0`)).text()).toBe('<p>cuerpo</p>');
  } finally {
    proc.kill();
    await proc.exited;
  }
}, 30_000);
