/**
 * @module A local catch-all SMTP server (smtp-server) that keeps every mail it accepts, parsed
 * (mailparser), and shows them over HTTP. The start command runs it so the user can read what the
 * service sent; the tests use it as the receiving MTA, told to answer 4xx/5xx or to go away.
 *
 *   bun services/notifications/src/dev/mailSink.ts   # SMTP :2525, mails at http://127.0.0.1:8025
 */
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';

export interface SunkMail {
  /** The envelope (RCPT TO), lowercased. */
  to: string[];
  from: string;
  subject: string;
  text: string;
  html: string;
  headers: Map<string, unknown>;
  parsed: ParsedMail;
  receivedAt: Date;
}

export interface MailSink {
  port: number;
  url: string;
  mails: SunkMail[];
  /** Answer every RCPT TO with this SMTP code and text (e.g. 550, 451) instead of accepting; null to accept again. */
  refuse(answer: { code: number; message: string } | null): void;
  /** Listening stops and open connections are dropped; `start()` listens again on the same port. */
  stop(): Promise<void>;
  start(): Promise<void>;
}

export async function startMailSink(opts: { port?: number; host?: string; onMail?: (m: SunkMail) => void } = {}): Promise<MailSink> {
  const host = opts.host ?? '127.0.0.1';
  const mails: SunkMail[] = [];
  let refusal: { code: number; message: string } | null = null;
  let server: SMTPServer | null = null;
  let port = opts.port ?? 0;

  const make = () =>
    new SMTPServer({
      authOptional: true,
      // Plain text on loopback: no self-signed STARTTLS for the client to trip over.
      disabledCommands: ['STARTTLS', 'AUTH'],
      logger: false,
      closeTimeout: 50,
      onRcptTo(_address, _session, callback) {
        if (!refusal) return callback();
        const err = new Error(refusal.message) as Error & { responseCode: number };
        err.responseCode = refusal.code;
        callback(err);
      },
      onData(stream, session, callback) {
        simpleParser(stream)
          .then((parsed) => {
            const mail: SunkMail = {
              to: session.envelope.rcptTo.map((r) => r.address.toLowerCase()),
              from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
              subject: parsed.subject ?? '',
              text: parsed.text ?? '',
              html: typeof parsed.html === 'string' ? parsed.html : '',
              headers: parsed.headers,
              parsed,
              receivedAt: new Date(),
            };
            mails.push(mail);
            opts.onMail?.(mail);
            callback();
          })
          .catch((err) => callback(err));
      },
    });

  const start = () =>
    new Promise<void>((resolve, reject) => {
      server = make();
      server.on('error', () => {});
      const s = (server as unknown as { server: import('node:net').Server }).server;
      s.once('error', reject);
      server.listen(port, host, () => {
        port = (s.address() as { port: number }).port;
        resolve();
      });
    });
  const stop = () =>
    new Promise<void>((resolve) => {
      if (!server) return resolve();
      const s = server;
      server = null;
      s.close(() => resolve());
    });

  await start();
  return {
    get port() {
      return port;
    },
    get url() {
      return `smtp://${host}:${port}`;
    },
    mails,
    refuse: (answer) => {
      refusal = answer;
    },
    stop,
    start,
  };
}

if (import.meta.main) {
  const smtpPort = Number(process.env.MAIL_SINK_SMTP_PORT ?? 2525);
  const httpPort = Number(process.env.MAIL_SINK_HTTP_PORT ?? 8025);
  const sink = await startMailSink({
    port: smtpPort,
    host: process.env.MAIL_SINK_HOST ?? '127.0.0.1',
    onMail: (m) => console.log(`mail-sink: ${m.receivedAt.toISOString()} to ${m.to.join(', ')}: ${m.subject}`),
  });
  const esc = (s: string) => s.replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`);
  Bun.serve({
    hostname: process.env.MAIL_SINK_HOST ?? '127.0.0.1',
    port: httpPort,
    fetch(req) {
      const path = new URL(req.url).pathname;
      const list = sink.mails.map((m, i) => ({ id: i, to: m.to, from: m.from, subject: m.subject, receivedAt: m.receivedAt, text: m.text }));
      if (path === '/mails') return Response.json(list.toReversed());
      const one = /^\/mails\/(\d+)$/.exec(path);
      if (one) {
        const m = sink.mails[Number(one[1])];
        // A received mail is shown as is, but may run nothing: no scripts, no remote loads.
        const headers = { 'content-type': 'text/html; charset=utf-8', 'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'" };
        return m ? new Response(m.html || `<pre>${esc(m.text)}</pre>`, { headers }) : new Response('not found', { status: 404 });
      }
      const rows = list.toReversed().map((m) => `<li><a href="/mails/${m.id}">${esc(m.subject)}</a> → ${esc(m.to.join(', '))} <small>${m.receivedAt.toISOString()}</small></li>`);
      return new Response(`<!doctype html><meta charset="utf-8"><title>Mail sink</title><h1>${sink.mails.length} mails</h1><ul>${rows.join('')}</ul>`, {
        headers: { 'content-type': 'text/html; charset=utf-8' },
      });
    },
  });
  console.log(`mail-sink: SMTP on ${sink.url}, mails at http://127.0.0.1:${httpPort}/`);
}
