/** @module Opaque secrets (refresh tokens, personal access tokens): random, prefixed, stored only as hashes. */

/** 32 random bytes: guessing is out of reach, so a fast hash (not a password hash) is the right store. */
export const newSecret = (prefix: 'sbr' | 'sbp') => `${prefix}_${Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString('base64url')}`;

export const hashSecret = (secret: string) => new Bun.CryptoHasher('sha256').update(secret).digest('hex');
