/**
 * @module Where may an outbound webhook go? Not to loopback, private, shared (CGNAT), link-local
 * (cloud metadata at 169.254.169.254 and fd00:ec2::254), multicast or reserved addresses, checked on
 * every address the name resolves to, at subscription and again before every attempt (DNS can
 * change). `WEBHOOKS_ALLOW_PRIVATE=1` lifts this for tests and local setups. What remains: the
 * resolver may answer differently between our lookup and fetch's own (a rebinding race of
 * milliseconds), and redirects are never followed.
 */
import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';

const V4_BLOCKED: [number, number][] = [
  [0x00000000, 8], [0x0a000000, 8], [0x64400000, 10], [0x7f000000, 8], [0xa9fe0000, 16], [0xac100000, 12],
  [0xc0000000, 24], [0xc0000200, 24], [0xc0a80000, 16], [0xc6120000, 15], [0xc6336400, 24], [0xcb007100, 24],
  [0xe0000000, 4], [0xf0000000, 4],
];

const v4Number = (ip: string) => ip.split('.').reduce((n, part) => (n << 8) + Number(part), 0) >>> 0;

function blockedV4(ip: string): boolean {
  const n = v4Number(ip);
  return V4_BLOCKED.some(([net, bits]) => (n >>> (32 - bits)) === (net >>> (32 - bits)));
}

function blockedV6(ip: string): boolean {
  const a = ip.toLowerCase().replace(/^\[|\]$/g, '');
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(a) ?? /^64:ff9b::(\d+\.\d+\.\d+\.\d+)$/.exec(a);
  if (mapped) return blockedV4(mapped[1]!);
  if (a === '::' || a === '::1') return true;
  if (/^::ffff:[0-9a-f]{1,4}:[0-9a-f]{1,4}$/.test(a)) return true; // a mapped v4 in hex: refuse rather than decode
  const first = parseInt(a.split(':')[0] || '0', 16);
  return (first & 0xfe00) === 0xfc00 /* fc00::/7 unique local */ || (first & 0xffc0) === 0xfe80 /* fe80::/10 */ || (first & 0xff00) === 0xff00 /* multicast */;
}

export const isBlockedAddress = (ip: string) => (isIP(ip) === 4 ? blockedV4(ip) : isIP(ip) === 6 ? blockedV6(ip) : true);

export type TargetCheck = { ok: true } | { ok: false; reason: string };

/** Resolves the URL's host and refuses it if any address is not public (unless `allowPrivate`). */
export async function checkTarget(url: string, allowPrivate: boolean): Promise<TargetCheck> {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return { ok: false, reason: 'not a URL' };
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') return { ok: false, reason: 'must be http or https' };
  if (parsed.username || parsed.password) return { ok: false, reason: 'must not carry credentials' };
  if (allowPrivate) return { ok: true };
  const host = parsed.hostname.replace(/^\[|\]$/g, '');
  let addresses: string[];
  try {
    addresses = isIP(host) ? [host] : (await lookup(host, { all: true, verbatim: true })).map((a) => a.address);
  } catch (err) {
    return { ok: false, reason: `${host} does not resolve (${(err as { code?: string }).code ?? 'error'})` };
  }
  const bad = addresses.find(isBlockedAddress);
  return bad ? { ok: false, reason: `${host} resolves to ${bad}, a loopback, private, link-local or reserved address` } : { ok: true };
}
