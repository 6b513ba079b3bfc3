/**
 * @module The service clients that may obtain a service credential (OAuth2 client credentials):
 * configured by `SERVICE_CLIENTS`, one `id:sha256hex[:scope scope…]` per comma-separated entry.
 * Only the secret's SHA-256 is configured, never the secret: the secret is 32 random bytes (see
 * `clients.cli.ts`), so a fast hash is the right store, as for personal access tokens.
 */
import { timingSafeEqual } from 'node:crypto';
import { hashSecret } from '../sessions/secrets.ts';

/** What a service credential lets its holder do; a user-facing route never accepts one. */
export const SERVICE_SCOPES = ['events:read'] as const;
export type ServiceScope = (typeof SERVICE_SCOPES)[number];

export interface ServiceClient {
  id: string;
  /** SHA-256 of the secret, hex. */
  secretHash: string;
  scopes: ServiceScope[];
}

const CLIENT_ID = /^[a-z][a-z0-9-]{0,39}$/;
const SHA256_HEX = /^[0-9a-f]{64}$/;

/** Parses `SERVICE_CLIENTS`; every problem is named (the config loader reports them together). */
export function parseServiceClients(text: string): { clients: Map<string, ServiceClient>; problems: string[] } {
  const clients = new Map<string, ServiceClient>();
  const problems: string[] = [];
  for (const entry of text.split(',').map((s) => s.trim()).filter(Boolean)) {
    const [id = '', hash = '', ...rest] = entry.split(':');
    const scopeText = rest.length ? rest.join(':') : undefined;
    const where = `SERVICE_CLIENTS entry "${id || entry}"`;
    const before = problems.length;
    if (!CLIENT_ID.test(id)) problems.push(`${where}: the client id must be lowercase letters, digits and dashes`);
    else if (clients.has(id)) problems.push(`${where}: client "${id}" is listed twice`);
    if (!SHA256_HEX.test(hash.toLowerCase())) problems.push(`${where}: want id:sha256hex (64 hex digits) of the secret; generate one with services/auth/src/clients/clients.cli.ts`);
    const scopes = scopeText === undefined ? [...SERVICE_SCOPES] : scopeText.split(/[\s+]+/).filter(Boolean);
    const unknown = scopes.filter((s) => !(SERVICE_SCOPES as readonly string[]).includes(s));
    if (unknown.length) problems.push(`${where}: unknown scope ${unknown.join(', ')} (known: ${SERVICE_SCOPES.join(', ')})`);
    if (problems.length === before) clients.set(id, { id, secretHash: hash.toLowerCase(), scopes: scopes as ServiceScope[] });
  }
  return { clients, problems };
}

/** A fresh client secret and the hash to configure. */
export function newClientSecret() {
  const secret = `sbs_${Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString('base64url')}`;
  return { secret, hash: hashSecret(secret) };
}

/** True when `secret` is this client's; compares hashes in constant time. */
export function secretMatches(client: ServiceClient, secret: string): boolean {
  return timingSafeEqual(Buffer.from(hashSecret(secret), 'hex'), Buffer.from(client.secretHash, 'hex'));
}
