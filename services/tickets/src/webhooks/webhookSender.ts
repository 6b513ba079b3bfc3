/**
 * @module The outbound sender loop: claims due deliveries of enabled endpoints (SKIP LOCKED, with a
 * lease so a crashed sender's rows come back), checks the target (ssrfGuard) and POSTs a Standard
 * Webhooks–signed body, records every attempt. A failure waits WEBHOOKS_BASE_BACKOFF_MS × 2^(n−1),
 * at most WEBHOOKS_MAX_BACKOFF_MS (30 s, 1 min, 2 min … 4 h 16 min, then 6 h: 14 attempts span about
 * 26 h); the last one fails the delivery and disables the
 * endpoint with the reason. A refused target disables it at once. Woken after enqueues; polls too.
 * Several lanes claim at once (SKIP LOCKED keeps their batches apart), so an endpoint that takes its
 * whole timeout to answer holds up one lane, not every delivery.
 */
import type { Logger } from '@syncro/kit/log';
import { WorkLoops } from '@syncro/kit/worker';
import type { MetricsRegistry } from '@syncro/kit/http';
import { Webhook } from 'standardwebhooks';
import type { TicketDb } from '../context.ts';
import { liveSecrets } from '../integrations/secrets.ts';
import { checkTarget } from './ssrfGuard.ts';

export interface WebhookSenderOptions {
  db: TicketDb;
  logger: Logger;
  metrics: MetricsRegistry;
  allowPrivate: boolean;
  pollMs: number;
  baseBackoffMs: number;
  maxAttempts: number;
  maxBackoffMs: number;
  timeoutMs: number;
  lanes?: number;
  batch?: number;
  leaseMs?: number;
}

interface Claimed {
  id: string;
  endpoint_id: string;
  attempts: number;
  payload: unknown;
  url: string;
  secret: string;
  previous_secret: string | null;
  previous_secret_until: Date | null;
}

type Outcome = { ok: true; status: number; excerpt: string } | { ok: false; permanent: boolean; status: number | null; excerpt: string | null; error: string };

/** Wait after attempt n (1-based): base × 2^(n−1), at most maxBackoffMs. */
export const backoffMs = (o: { baseBackoffMs: number; maxBackoffMs: number }, attempt: number) => Math.min(o.maxBackoffMs, o.baseBackoffMs * 2 ** (attempt - 1));

/** Every wait of the schedule, for the docs and their test: the last attempt has none. */
export const backoffSchedule = (o: { baseBackoffMs: number; maxBackoffMs: number; maxAttempts: number }) =>
  Array.from({ length: o.maxAttempts - 1 }, (_, i) => backoffMs(o, i + 1));

/** Signed with every live secret (space-separated): a receiver mid-rotation verifies with either. */
export function signDelivery(id: string, body: string, secrets: string[], at = new Date()) {
  return {
    'content-type': 'application/json',
    'user-agent': 'SyncroBoard-Webhooks/1',
    'webhook-id': id,
    'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
    'webhook-signature': secrets.map((s) => new Webhook(s).sign(id, at, body)).join(' '),
  };
}

export class WebhookSender {
  private readonly loops: WorkLoops;
  private readonly sent;
  private readonly failed;
  private readonly latency;

  constructor(private readonly o: WebhookSenderOptions) {
    this.loops = new WorkLoops({ name: 'webhook sender', lanes: o.lanes ?? 1, pollMs: o.pollMs, logger: o.logger, work: async () => (await this.tick()) > 0 });
    this.sent = o.metrics.counter('webhook_deliveries_sent_total', 'Outbound webhook deliveries answered 2xx');
    this.failed = o.metrics.counter('webhook_delivery_failures_total', 'Outbound webhook attempts that failed, by kind');
    this.latency = o.metrics.histogram('webhook_delivery_seconds', 'Outbound webhook request latency');
  }

  start() {
    this.loops.start();
  }

  wake() {
    this.loops.wake();
  }

  async stop() {
    await this.loops.stop();
  }

  /** One batch: claim, send in parallel, record. Returns how many it claimed. */
  async tick(): Promise<number> {
    const sql = this.o.db.$client;
    const rows = (await sql`
      update webhook_deliveries d set lease_until = now() + ${this.o.leaseMs ?? 60_000} * interval '1 millisecond', attempts = d.attempts + 1
      from webhook_endpoints e
      where e.id = d.endpoint_id and d.id in (
        select d2.id from webhook_deliveries d2 join webhook_endpoints e2 on e2.id = d2.endpoint_id and e2.enabled
        where d2.status = 'pending' and d2.next_attempt_at <= now() and (d2.lease_until is null or d2.lease_until < now())
        order by d2.next_attempt_at limit ${this.o.batch ?? 32}
        for update of d2 skip locked)
      returning d.id, d.endpoint_id, d.attempts, d.payload, e.url, e.secret, e.previous_secret, e.previous_secret_until`) as unknown as Claimed[];
    await Promise.all(rows.map((row) => this.deliver(row)));
    return rows.length;
  }

  private async send(row: Claimed): Promise<Outcome> {
    const target = await checkTarget(row.url, this.o.allowPrivate);
    if (!target.ok) return { ok: false, permanent: true, status: null, excerpt: null, error: `target refused: ${target.reason}` };
    const body = JSON.stringify(row.payload);
    const secrets = liveSecrets({ secret: row.secret, previousSecret: row.previous_secret, previousSecretUntil: row.previous_secret_until && new Date(row.previous_secret_until) });
    try {
      const res = await fetch(row.url, { method: 'POST', body, headers: signDelivery(row.id, body, secrets), redirect: 'manual', signal: AbortSignal.timeout(this.o.timeoutMs) });
      const excerpt = (await res.text().catch(() => '')).slice(0, 500);
      if (res.status >= 200 && res.status < 300) return { ok: true, status: res.status, excerpt };
      return { ok: false, permanent: false, status: res.status, excerpt, error: `answered ${res.status}` };
    } catch (err) {
      return { ok: false, permanent: false, status: null, excerpt: null, error: (err as Error).message.slice(0, 300) };
    }
  }

  private async deliver(row: Claimed) {
    const sql = this.o.db.$client;
    const started = performance.now();
    const outcome = await this.send(row);
    const ms = Math.round(performance.now() - started);
    this.latency.observe({}, ms / 1000);
    await sql`insert into webhook_attempts (id, delivery_id, status_code, latency_ms, response_excerpt, error)
      values (${Bun.randomUUIDv7()}, ${row.id}, ${outcome.status}, ${ms}, ${outcome.excerpt}, ${outcome.ok ? null : outcome.error})`;
    if (outcome.ok) {
      this.sent.inc({});
      await sql`update webhook_deliveries set status = 'delivered', delivered_at = now(), last_error = null, lease_until = null where id = ${row.id}`;
      return;
    }
    this.failed.inc({ kind: outcome.permanent ? 'refused' : outcome.status ? 'status' : 'network' });
    if (outcome.permanent || row.attempts >= this.o.maxAttempts) {
      const reason = outcome.permanent ? outcome.error : `gave up after ${row.attempts} attempts: ${outcome.error}`;
      this.o.logger.warn('webhook endpoint disabled', { endpointId: row.endpoint_id, deliveryId: row.id, reason });
      await sql.begin(async (tx) => {
        await tx`update webhook_deliveries set status = 'failed', last_error = ${reason}, lease_until = null where id = ${row.id}`;
        await tx`update webhook_endpoints set enabled = false, disabled_reason = ${reason} where id = ${row.endpoint_id}`;
      });
      return;
    }
    const waitMs = backoffMs(this.o, row.attempts);
    await sql`update webhook_deliveries set last_error = ${outcome.error}, lease_until = null,
      next_attempt_at = now() + ${waitMs} * interval '1 millisecond' where id = ${row.id}`;
  }
}
