/**
 * @module A test identity provider: an ES256 key pair whose public half is served as a JWKS on
 * loopback, so services verify test tokens exactly as they verify the Auth Service's.
 */
import { SignJWT, exportJWK, generateKeyPair, type CryptoKey } from 'jose';

export interface TestUser {
  id: string;
  email: string;
  name: string;
}

export const TEST_ISSUER = 'http://syncroboard.test/auth';
export const TEST_AUDIENCE = 'syncroboard';

export interface TestIdp {
  jwksUrl: string;
  issuer: string;
  audience: string;
  /** A signed access token for `user`; override claims or lifetime to build bad tokens. */
  token(user: TestUser, opts?: { expiresIn?: string | number; audience?: string; issuer?: string; key?: CryptoKey }): Promise<string>;
  /** A key the JWKS does not publish: tokens signed with it are forgeries. */
  foreignKey(): Promise<CryptoKey>;
  stop(): Promise<void>;
}

export function newUser(name = 'User'): TestUser {
  const id = Bun.randomUUIDv7();
  return { id, email: `${name.toLowerCase().replace(/\W+/g, '.')}.${id.slice(-8)}@example.test`, name };
}

export async function startTestIdp(): Promise<TestIdp> {
  const { privateKey, publicKey } = await generateKeyPair('ES256');
  const kid = `test-${crypto.randomUUID().slice(0, 8)}`;
  const jwk = { ...(await exportJWK(publicKey)), kid, alg: 'ES256', use: 'sig' };
  const server = Bun.serve({
    hostname: '127.0.0.1',
    port: 0,
    fetch: (req) =>
      new URL(req.url).pathname === '/.well-known/jwks.json' ? Response.json({ keys: [jwk] }) : new Response('not found', { status: 404 }),
  });
  return {
    jwksUrl: `http://127.0.0.1:${server.port}/.well-known/jwks.json`,
    issuer: TEST_ISSUER,
    audience: TEST_AUDIENCE,
    async token(user, opts = {}) {
      return new SignJWT({ email: user.email, name: user.name })
        .setProtectedHeader({ alg: 'ES256', kid })
        .setSubject(user.id)
        .setIssuer(opts.issuer ?? TEST_ISSUER)
        .setAudience(opts.audience ?? TEST_AUDIENCE)
        .setIssuedAt()
        .setExpirationTime(opts.expiresIn ?? '15m')
        .sign(opts.key ?? privateKey);
    },
    async foreignKey() {
      return (await generateKeyPair('ES256')).privateKey;
    },
    async stop() {
      server.stop(true);
    },
  };
}
