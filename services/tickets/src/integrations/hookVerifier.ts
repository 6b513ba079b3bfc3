/**
 * @module Is a delivery authentic? Standard Webhooks (`webhook-id`, `webhook-timestamp`,
 * `webhook-signature`, 5-minute tolerance) via the `standardwebhooks` package, or GitHub's
 * `X-Hub-Signature-256` (HMAC-SHA256 of the raw body, compared in constant time). Each live secret
 * is tried: the current one, then the previous one in its grace period.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { Webhook, WebhookVerificationError } from 'standardwebhooks';

export type Verdict =
  | { ok: true; deliveryId: string | null; event: string | null }
  | { ok: false; code: 'SIGNATURE_MISSING' | 'SIGNATURE_INVALID' | 'TIMESTAMP_OUT_OF_TOLERANCE'; message: string; deliveryId: string | null; event: string | null };

export function verifyStandard(body: string, headers: Headers, secrets: string[]): Verdict {
  const id = headers.get('webhook-id');
  const timestamp = headers.get('webhook-timestamp');
  const signature = headers.get('webhook-signature');
  const base = { deliveryId: id, event: 'generic' };
  if (!id || !timestamp || !signature) {
    return { ok: false, code: 'SIGNATURE_MISSING', message: 'webhook-id, webhook-timestamp and webhook-signature are required', ...base };
  }
  const signed = { 'webhook-id': id, 'webhook-timestamp': timestamp, 'webhook-signature': signature };
  let last = 'No matching signature found';
  for (const secret of secrets) {
    try {
      new Webhook(secret).verify(body, signed, { jsonParse: false });
      return { ok: true, ...base };
    } catch (err) {
      if (!(err instanceof WebhookVerificationError)) throw err;
      last = err.message;
      // The timestamp is checked before the signature and is the same for every secret.
      if (/timestamp/i.test(last)) return { ok: false, code: 'TIMESTAMP_OUT_OF_TOLERANCE', message: `${last} (tolerance 5 minutes)`, ...base };
    }
  }
  return { ok: false, code: 'SIGNATURE_INVALID', message: last, ...base };
}

export function verifyGitHub(body: string, headers: Headers, secrets: string[]): Verdict {
  const signature = headers.get('x-hub-signature-256');
  const base = { deliveryId: headers.get('x-github-delivery'), event: headers.get('x-github-event') };
  if (!signature?.startsWith('sha256=')) {
    return { ok: false, code: 'SIGNATURE_MISSING', message: 'X-Hub-Signature-256 (sha256=…) is required', ...base };
  }
  const given = Buffer.from(signature.slice('sha256='.length), 'hex');
  for (const secret of secrets) {
    const expected = createHmac('sha256', secret).update(body).digest();
    if (given.length === expected.length && timingSafeEqual(given, expected)) return { ok: true, ...base };
  }
  return { ok: false, code: 'SIGNATURE_INVALID', message: 'X-Hub-Signature-256 does not match the body', ...base };
}
