/**
 * Signing keys: the development key persists across restarts; after a rotation the previous key
 * stays in the JWKS, so a token it signed keeps verifying (at the Ticket Service, through HTTP)
 * until it expires; one rotation later it is gone. Configured keys work the same way.
 */
import { afterAll, describe, expect, test } from 'bun:test';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTokenVerifier } from '@syncro/kit/auth';
import { client } from '@syncro/testing';
import { decodeProtectedHeader, exportJWK, generateKeyPair } from 'jose';
import { startTickets } from '@syncro/tickets/harness';
import { startAuth } from '@syncro/auth/harness';
import { createKeyRing, generateSigningKey, loadKeys, rotateStoredKey } from './keyRing.ts';

const keyDir = mkdtempSync(join(tmpdir(), 'syncro-rotation-'));
afterAll(() => rmSync(keyDir, { recursive: true, force: true }));

const kidOf = (token: string) => decodeProtectedHeader(token).kid!;

describe('key rotation', () => {
  test('a token signed with the previous key verifies until it expires; two rotations later it does not', async () => {
    const first = await startAuth({ AUTH_DEV_LOGIN: '1' }, { keyDir });
    const port = first.port;
    const old = await first.devLogin();
    await first.stop();

    // A restart without rotation keeps the key: sessions survive restarts.
    const restarted = await startAuth({ AUTH_DEV_LOGIN: '1' }, { keyDir, port });
    expect(restarted.service.keys.currentKid).toBe(kidOf(old.accessToken));
    await restarted.stop();

    await rotateStoredKey(keyDir);
    const rotated = await startAuth({ AUTH_DEV_LOGIN: '1' }, { keyDir, port });
    const fresh = await rotated.devLogin();
    expect(kidOf(fresh.accessToken)).not.toBe(kidOf(old.accessToken));
    const jwks = await rotated.api().get('/.well-known/jwks.json');
    expect(jwks.body.keys.map((k: { kid: string }) => k.kid)).toEqual([kidOf(fresh.accessToken), kidOf(old.accessToken)]);

    const tickets = await startTickets({ trust: rotated.trust });
    try {
      expect((await client(tickets.url, old.accessToken).get('/projects')).status).toBe(200);
      expect((await client(tickets.url, fresh.accessToken).get('/projects')).status).toBe(200);
    } finally {
      await tickets.stop();
      await rotated.stop();
    }

    await rotateStoredKey(keyDir);
    const again = await startAuth({}, { keyDir, port });
    try {
      const verify = createTokenVerifier(again.trust);
      await expect(verify(old.accessToken)).rejects.toMatchObject({ status: 401, code: 'TOKEN_INVALID' });
      expect((await verify(fresh.accessToken)).id).toBe(fresh.user.id);
    } finally {
      await again.stop();
    }
  }, 20_000); // four Auth Services and a Ticket Service start in turn: seconds on a loaded machine

  test('configured keys: SIGNING_KEY signs, PREVIOUS_SIGNING_KEYS are published, private parts never are', async () => {
    const previous = await generateSigningKey();
    const current = await generateSigningKey();
    const keys = await createKeyRing(await loadKeys({ SIGNING_KEY: JSON.stringify(current), PREVIOUS_SIGNING_KEYS: JSON.stringify([previous]) }));
    expect(keys.currentKid).toBe(current.kid!);
    expect(keys.jwks().keys.map((k) => k.kid)).toEqual([current.kid!, previous.kid!]);
    for (const k of keys.jwks().keys) expect(k).not.toHaveProperty('d');
  });

  test('bad keys are refused with a message naming the variable', async () => {
    await expect(loadKeys({ SIGNING_KEY: '{not json' })).rejects.toThrow('SIGNING_KEY');
    await expect(loadKeys({ SIGNING_KEY: '{}', PREVIOUS_SIGNING_KEYS: '{"nope":1}' })).rejects.toThrow('PREVIOUS_SIGNING_KEYS');
    const { publicKey } = await generateKeyPair('ES256', { extractable: true });
    await expect(createKeyRing({ current: { ...(await exportJWK(publicKey)), kid: 'pub' }, previous: [] })).rejects.toThrow('private');
  });
});
