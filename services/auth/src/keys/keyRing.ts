/**
 * @module The signing keys: one current ES256 private key that signs, plus earlier public keys that
 * stay in the JWKS during a rotation so tokens they signed keep verifying until they expire.
 *
 * Production passes the key in (`SIGNING_KEY` / `SIGNING_KEY_FILE`, `PREVIOUS_SIGNING_KEYS`).
 * Development with no key configured generates one on first start and keeps it in `AUTH_KEY_DIR`,
 * so sessions survive restarts; `rotateStoredKey()` rotates that stored key.
 */
import { chmodSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError } from '@syncro/kit/config';
import { SignJWT, createLocalJWKSet, exportJWK, generateKeyPair, importJWK, type CryptoKey, type JWK, type JWTVerifyGetKey } from 'jose';

export interface PublicJwk extends JWK {
  kid: string;
  alg: 'ES256';
  use: 'sig';
}

export interface KeyRing {
  /** The kid that signs new tokens. */
  readonly currentKid: string;
  /** The JWKS document: current key first, then the previous ones. */
  jwks(): { keys: PublicJwk[] };
  /** Resolves keys for jose without HTTP (auth verifying its own tokens; the all-in-one process). */
  resolver: JWTVerifyGetKey;
  sign(claims: Record<string, unknown>, opts: { subject: string; issuer: string; audience: string; ttlSeconds: number }): Promise<string>;
}

export interface StoredKeys {
  current: JWK;
  previous: JWK[];
}

const publicPart = (jwk: JWK): PublicJwk => {
  if (jwk.kty !== 'EC' || jwk.crv !== 'P-256' || !jwk.kid) throw new Error('signing keys must be EC P-256 JWKs with a kid');
  const { kty, crv, x, y, kid } = jwk;
  return { kty, crv, x, y, kid, alg: 'ES256', use: 'sig' };
};

export async function createKeyRing({ current, previous }: StoredKeys): Promise<KeyRing> {
  if (!current.d) throw new Error('the current signing key must be a private JWK (it has no "d")');
  const currentPublic = publicPart(current);
  const published = [currentPublic, ...previous.map(publicPart).filter((k) => k.kid !== currentPublic.kid)];
  const privateKey = (await importJWK(current, 'ES256')) as CryptoKey;
  const document = { keys: published };
  return {
    currentKid: currentPublic.kid,
    jwks: () => document,
    resolver: createLocalJWKSet(document),
    sign: (claims, { subject, issuer, audience, ttlSeconds }) =>
      new SignJWT(claims)
        .setProtectedHeader({ alg: 'ES256', kid: currentPublic.kid, typ: 'JWT' })
        .setSubject(subject)
        .setIssuer(issuer)
        .setAudience(audience)
        .setIssuedAt()
        .setJti(Bun.randomUUIDv7())
        .setExpirationTime(Math.floor(Date.now() / 1000) + ttlSeconds)
        .sign(privateKey),
  };
}

export async function generateSigningKey(): Promise<JWK> {
  const { privateKey } = await generateKeyPair('ES256', { extractable: true });
  // A sortable, dated kid makes "which key signed this" obvious in logs.
  return { ...(await exportJWK(privateKey)), kid: `sb-${new Date().toISOString().slice(0, 10)}-${crypto.randomUUID().slice(0, 8)}`, alg: 'ES256', use: 'sig' };
}

const parseJson = (name: string, text: string): unknown => {
  try {
    return JSON.parse(text);
  } catch {
    throw new ConfigError([`${name} is not valid JSON`]);
  }
};

const asKeyList = (name: string, value: unknown): JWK[] => {
  const list = Array.isArray(value) ? value : (value as { keys?: unknown })?.keys;
  if (!Array.isArray(list)) throw new ConfigError([`${name} must be a JSON array of JWKs or a JWKS document`]);
  return list as JWK[];
};

export interface KeySource {
  SIGNING_KEY?: string | undefined;
  SIGNING_KEY_FILE?: string | undefined;
  PREVIOUS_SIGNING_KEYS?: string | undefined;
  AUTH_KEY_DIR?: string | undefined;
}

export const defaultKeyDir = () =>
  join(process.env.SYNCRO_DATA ?? join(process.env.HOME ?? '/tmp', '.local/share/syncroboard'), 'auth');

/** The keys from configuration, else the development store (created on first use). */
export async function loadKeys(source: KeySource): Promise<StoredKeys & { origin: 'config' | 'dev-store' }> {
  const previous = source.PREVIOUS_SIGNING_KEYS ? asKeyList('PREVIOUS_SIGNING_KEYS', parseJson('PREVIOUS_SIGNING_KEYS', source.PREVIOUS_SIGNING_KEYS)) : [];
  const text = source.SIGNING_KEY ?? (source.SIGNING_KEY_FILE ? await Bun.file(source.SIGNING_KEY_FILE).text() : undefined);
  if (text) return { current: parseJson('SIGNING_KEY', text) as JWK, previous, origin: 'config' };
  const stored = await readStore(source.AUTH_KEY_DIR ?? defaultKeyDir());
  return { current: stored.current, previous: [...stored.previous, ...previous], origin: 'dev-store' };
}

const storeFile = (dir: string) => join(dir, 'signing-keys.json');

async function readStore(dir: string): Promise<StoredKeys> {
  const file = Bun.file(storeFile(dir));
  if (await file.exists()) return file.json();
  const keys: StoredKeys = { current: await generateSigningKey(), previous: [] };
  await writeStore(dir, keys);
  return keys;
}

async function writeStore(dir: string, keys: StoredKeys) {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  await Bun.write(storeFile(dir), JSON.stringify(keys, null, 2));
  chmodSync(storeFile(dir), 0o600);
}

/**
 * Rotates the development store: a new current key, the old one kept as previous. Keys older than
 * one before are dropped: every token they signed expired long ago (access tokens live minutes).
 */
export async function rotateStoredKey(dir = defaultKeyDir()): Promise<StoredKeys> {
  const old = await readStore(dir);
  const rotated: StoredKeys = { current: await generateSigningKey(), previous: [publicPart(old.current)] };
  await writeStore(dir, rotated);
  return rotated;
}
