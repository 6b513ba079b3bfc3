/**
 * @module Signs a generic delivery (Standard Webhooks) and prints the `curl` that posts it:
 *   bun services/tickets/src/integrations/sign.cli.ts <hook url> <secret> '<json body>'
 * Run the printed line (or `eval "$(…)"`). The signature holds for 5 minutes.
 */
import { Webhook } from 'standardwebhooks';

const quote = (s: string) => `'${s.replaceAll("'", `'\\''`)}'`;

export function signedCurl(url: string, secret: string, body: string, id = `msg_${crypto.randomUUID()}`, at = new Date()): string {
  const headers = {
    'content-type': 'application/json',
    'webhook-id': id,
    'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
    'webhook-signature': new Webhook(secret).sign(id, at, body),
  };
  return ['curl -sS -X POST', quote(url), ...Object.entries(headers).map(([k, v]) => `-H ${quote(`${k}: ${v}`)}`), '--data-binary', quote(body)].join(' ');
}

if (import.meta.main) {
  const [url, secret, body] = process.argv.slice(2);
  if (!url || !secret || !body) {
    console.error("usage: bun sign.cli.ts <hook url> <secret> '<json body>'");
    process.exit(2);
  }
  try {
    JSON.parse(body);
  } catch {
    console.error('the body must be JSON, e.g. \'{"title":"Disk full on db-1"}\'');
    process.exit(2);
  }
  console.log(signedCurl(url, secret, body));
}
