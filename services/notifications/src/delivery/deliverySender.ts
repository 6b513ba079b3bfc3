/**
 * @module The sender loop: claims due `pending` deliveries (SKIP LOCKED, with a lease so a crashed
 * sender's rows come back), sends them outside any transaction, records the outcome. Transient
 * failures wait with exponential backoff up to DELIVERY_MAX_ATTEMPTS; permanent ones fail at once.
 * Woken after commits; polls as a fallback.
 */
import type { MetricsRegistry } from '@syncro/kit/http';
import type { Logger } from '@syncro/kit/log';
import { WorkLoops } from '@syncro/kit/worker';
import type { NotifyDb } from '../context.ts';
import type { OutgoingMessage } from './delivery.model.ts';
import type { EmailTransport, SendOutcome } from './emailTransport.ts';
import type { PushSender } from './pushSender.ts';

export interface SenderOptions {
  db: NotifyDb;
  logger: Logger;
  metrics: MetricsRegistry;
  email: EmailTransport;
  push: PushSender | null;
  pollMs: number;
  batch: number;
  maxAttempts: number;
  maxBackoffMs: number;
  /** First retry delay; doubles per attempt. */
  baseBackoffMs?: number;
  leaseMs?: number;
}

interface Claimed {
  id: string;
  user_id: string;
  channel: string;
  attempts: number;
  message: OutgoingMessage;
}

export class DeliverySender {
  private readonly loops: WorkLoops;
  private readonly sent;
  private readonly failed;
  private readonly retried;

  constructor(private readonly o: SenderOptions) {
    const sql = o.db.$client;
    this.loops = new WorkLoops({ name: 'delivery sender', pollMs: o.pollMs, logger: o.logger, work: async () => (await this.tick()) >= o.batch });
    this.sent = o.metrics.counter('notification_deliveries_sent_total', 'Deliveries sent, by channel');
    this.failed = o.metrics.counter('notification_deliveries_failed_total', 'Deliveries failed for good, by channel');
    this.retried = o.metrics.counter('notification_delivery_retries_total', 'Transient delivery failures retried later, by channel');
    o.metrics.gauge('notification_queue_depth', 'Pending deliveries', async () => Number((await sql`select count(*)::int as n from deliveries where status = 'pending'`)[0]!.n));
    o.metrics.gauge('notification_oldest_pending_seconds', 'Age of the oldest pending delivery', async () => {
      const [row] = await sql`select coalesce(extract(epoch from now() - min(created_at)), 0)::float8 as s from deliveries where status = 'pending'`;
      return Number(row!.s);
    });
  }

  /** `lanes` loops claim and send at once (SKIP LOCKED keeps their batches apart), so one slow mail does not hold up the rest. */
  start(lanes = 1) {
    this.loops.start(lanes);
  }

  wake() {
    this.loops.wake();
  }

  async stop() {
    await this.loops.stop();
  }

  /** One batch: claim, send in parallel, record. Returns how many rows it claimed. */
  async tick(): Promise<number> {
    const sql = this.o.db.$client;
    const leaseMs = this.o.leaseMs ?? 60_000;
    const rows = (await sql`
      update deliveries set lease_until = now() + ${leaseMs} * interval '1 millisecond', attempts = attempts + 1, updated_at = now()
      where id in (
        select id from deliveries
        where status = 'pending' and next_attempt_at <= now() and (lease_until is null or lease_until < now())
        order by next_attempt_at limit ${this.o.batch}
        for update skip locked)
      returning id, user_id, channel, attempts, message`) as unknown as Claimed[];
    const sent: { id: string; providerMessageId: string }[] = [];
    await Promise.all(rows.map((row) => this.deliver(row, sent)));
    // The successes in one statement: a round trip per batch, not per mail.
    if (sent.length > 0) {
      await sql`update deliveries d set status = 'sent', provider_message_id = x.pid, last_error = null, lease_until = null, updated_at = now()
        from unnest(${sql.array(sent.map((s) => s.id))}::uuid[], ${sql.array(sent.map((s) => s.providerMessageId))}::text[]) as x(id, pid)
        where d.id = x.id`;
    }
    return rows.length;
  }

  private async send(row: Claimed): Promise<SendOutcome> {
    const m = row.message;
    if (m.channel === 'email') return this.o.email.send(m);
    if (m.channel === 'push') return this.o.push ? this.o.push.send(row.user_id, m) : { ok: false, permanent: true, error: 'push not configured' };
    return { ok: false, permanent: true, error: `nothing to send on ${m.channel}` };
  }

  private async deliver(row: Claimed, sent: { id: string; providerMessageId: string }[]) {
    const sql = this.o.db.$client;
    const outcome = await this.send(row).catch((err): SendOutcome => ({ ok: false, permanent: false, error: (err as Error).message }));
    const labels = { channel: row.channel };
    if (outcome.ok) {
      this.sent.inc(labels);
      sent.push({ id: row.id, providerMessageId: outcome.providerMessageId });
      return;
    }
    if (outcome.permanent || row.attempts >= this.o.maxAttempts) {
      this.failed.inc(labels);
      const reason = outcome.permanent ? outcome.error : `gave up after ${row.attempts} attempts: ${outcome.error}`;
      this.o.logger.warn('delivery failed', { deliveryId: row.id, channel: row.channel, attempts: row.attempts, error: outcome.error });
      await sql`update deliveries set status = 'failed', reason = ${reason}, last_error = ${outcome.error}, lease_until = null,
        updated_at = now() where id = ${row.id}`;
      return;
    }
    this.retried.inc(labels);
    const delay = Math.min((this.o.baseBackoffMs ?? 1000) * 2 ** (row.attempts - 1), this.o.maxBackoffMs);
    await sql`update deliveries set last_error = ${outcome.error}, lease_until = null, updated_at = now(),
      next_attempt_at = now() + ${delay} * interval '1 millisecond' where id = ${row.id}`;
  }
}
