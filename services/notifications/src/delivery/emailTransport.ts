/**
 * @module Email over SMTP with a pooled nodemailer transport. The outcome of one send is classified
 * here: a 5xx answer is permanent (the address or the content is refused), a 4xx or a connection
 * failure is transient (retried with backoff by the sender).
 */
import nodemailer from 'nodemailer';
import type { OutgoingMessage } from './delivery.model.ts';

export type SendOutcome = { ok: true; providerMessageId: string } | { ok: false; permanent: boolean; error: string };

export interface EmailTransport {
  send(message: Extract<OutgoingMessage, { channel: 'email' }>): Promise<SendOutcome>;
  close(): void;
}

export function createEmailTransport(o: { url: string; from: string; poolSize: number }): EmailTransport {
  const transport = nodemailer.createTransport({
    url: o.url,
    pool: true,
    maxConnections: Math.max(1, o.poolSize),
    connectionTimeout: 5_000,
    greetingTimeout: 5_000,
    socketTimeout: 20_000,
  } as Parameters<typeof nodemailer.createTransport>[0]);
  return {
    async send(m) {
      try {
        const info = await transport.sendMail({
          from: o.from,
          to: m.to,
          subject: m.subject,
          text: m.text,
          html: m.html,
          headers: {
            // RFC 8058: a mailbox provider may POST `List-Unsubscribe=One-Click` to the link.
            'List-Unsubscribe': `<${m.unsubscribeUrl}>`,
            'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
          },
        });
        return { ok: true, providerMessageId: info.messageId };
      } catch (err) {
        const e = err as Error & { responseCode?: number; response?: string; code?: string };
        const code = typeof e.responseCode === 'number' ? e.responseCode : null;
        const error = (e.response ?? e.message ?? String(err)).slice(0, 1000);
        return { ok: false, permanent: code !== null && code >= 500, error: code !== null && !error.startsWith(String(code)) ? `${code} ${error}` : error };
      }
    },
    close: () => transport.close(),
  };
}
