/**
 * @module A development stand-in for the Auth Service until it lands: it publishes a JWKS on
 * :3001 and mints ES256 access tokens for any email, so the started system can be used from curl.
 * Its key is persisted under SYNCRO_DATA. It only runs when infra/start.sh is asked for a dev
 * identity (the default outside CI); production never starts it.
 *
 *   bun infra/dev-idp.ts serve            # JWKS at http://127.0.0.1:3001/.well-known/jwks.json
 *   bun infra/dev-idp.ts token ada@example.com "Ada Lovelace"   # prints a 12-hour token
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { SignJWT, exportJWK, generateKeyPair, importJWK, type JWK } from 'jose';

const dir = join(process.env.SYNCRO_DATA ?? join(process.env.HOME ?? '/tmp', '.local/share/syncroboard'), 'dev-idp');
const file = join(dir, 'signing-key.jwk.json');
const issuer = process.env.AUTH_ISSUER ?? 'http://127.0.0.1:3001';
const audience = process.env.AUTH_AUDIENCE ?? 'syncroboard';
const port = Number(process.env.DEV_IDP_PORT ?? 3001);

async function loadKey(): Promise<JWK> {
  const existing = Bun.file(file);
  if (await existing.exists()) return existing.json();
  mkdirSync(dir, { recursive: true });
  const { privateKey } = await generateKeyPair('ES256', { extractable: true });
  const jwk = { ...(await exportJWK(privateKey)), kid: `dev-${Date.now()}`, alg: 'ES256', use: 'sig' };
  await Bun.write(file, JSON.stringify(jwk));
  return jwk;
}

/** A stable user id per email, so the same person keeps their projects across tokens. */
async function userIdFor(email: string) {
  const h = new Bun.CryptoHasher('sha256').update(`dev-idp:${email.toLowerCase()}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

const jwk = await loadKey();
const [command = 'serve', email = 'dev@example.com', name = email.split('@')[0]!] = process.argv.slice(2);

if (command === 'token') {
  const key = await importJWK(jwk, 'ES256');
  const token = await new SignJWT({ email, name })
    .setProtectedHeader({ alg: 'ES256', kid: jwk.kid! })
    .setSubject(await userIdFor(email))
    .setIssuer(issuer)
    .setAudience(audience)
    .setIssuedAt()
    .setExpirationTime('12h')
    .sign(key);
  console.log(token);
} else {
  const { d: _private, ...publicJwk } = jwk;
  Bun.serve({
    hostname: '127.0.0.1',
    port,
    fetch: (req) =>
      new URL(req.url).pathname === '/.well-known/jwks.json'
        ? Response.json({ keys: [publicJwk] })
        : Response.json({ error: { code: 'NOT_FOUND', message: 'dev-idp serves only /.well-known/jwks.json' } }, { status: 404 }),
  });
  console.error(`[dev-idp] DEVELOPMENT identity: JWKS on http://127.0.0.1:${port}/.well-known/jwks.json (issuer ${issuer})`);
}
