/**
 * @module Signing-key chores.
 *
 *   bun services/auth/src/keys/keys.cli.ts generate   # a new private JWK for SIGNING_KEY (stdout)
 *   bun services/auth/src/keys/keys.cli.ts public     # the public JWK of $SIGNING_KEY, for PREVIOUS_SIGNING_KEYS
 *   bun services/auth/src/keys/keys.cli.ts rotate     # development store: new current key, old one kept as previous
 *
 * Production rotation: generate a key, set SIGNING_KEY to it and PREVIOUS_SIGNING_KEYS to the old
 * key's public JWK, restart; remove the previous key once ACCESS_TOKEN_TTL_S has passed.
 */
import { defaultKeyDir, generateSigningKey, rotateStoredKey } from './keyRing.ts';

const [command] = process.argv.slice(2);
if (command === 'generate') {
  console.log(JSON.stringify(await generateSigningKey()));
} else if (command === 'public') {
  const { kty, crv, x, y, kid } = JSON.parse(process.env.SIGNING_KEY ?? '{}');
  if (!kid) throw new Error('set SIGNING_KEY to the private JWK whose public half you want');
  console.log(JSON.stringify([{ kty, crv, x, y, kid, alg: 'ES256', use: 'sig' }]));
} else if (command === 'rotate') {
  const dir = process.env.AUTH_KEY_DIR ?? defaultKeyDir();
  const keys = await rotateStoredKey(dir);
  console.error(`rotated ${dir}: now signing with ${keys.current.kid}; ${keys.previous[0]?.kid} stays published. Restart the Auth Service.`);
} else {
  console.error('usage: keys.cli.ts generate | public | rotate');
  process.exit(2);
}
