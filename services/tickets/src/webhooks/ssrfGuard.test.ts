import { describe, expect, test } from 'bun:test';
import { checkTarget, isBlockedAddress } from './ssrfGuard.ts';

describe('SSRF guard', () => {
  test('refuses loopback, private, CGNAT, link-local/metadata, multicast and mapped forms; lets public addresses through', () => {
    for (const ip of ['127.0.0.1', '10.1.2.3', '172.16.0.1', '172.31.255.255', '192.168.1.1', '169.254.169.254', '100.64.0.1', '0.0.0.0', '224.0.0.1', '::1', '::', 'fd00:ec2::254', 'fe80::1', '::ffff:127.0.0.1', '::ffff:7f00:1', 'not-an-ip']) {
      expect([ip, isBlockedAddress(ip)]).toEqual([ip, true]);
    }
    for (const ip of ['8.8.8.8', '172.32.0.1', '1.1.1.1', '2606:4700:4700::1111']) expect([ip, isBlockedAddress(ip)]).toEqual([ip, false]);
  });

  test('resolves names: localhost is refused without the flag, allowed with it; odd schemes and credentials never', async () => {
    expect(await checkTarget('http://localhost:9/x', false)).toMatchObject({ ok: false, reason: expect.stringContaining('resolves to') });
    expect(await checkTarget('http://[::1]:9/x', false)).toMatchObject({ ok: false });
    expect(await checkTarget('http://169.254.169.254/latest/meta-data', false)).toMatchObject({ ok: false });
    expect(await checkTarget('http://localhost:9/x', true)).toEqual({ ok: true });
    expect(await checkTarget('ftp://example.com/', true)).toMatchObject({ ok: false, reason: 'must be http or https' });
    expect(await checkTarget('https://u:p@example.com/', true)).toMatchObject({ ok: false });
    expect(await checkTarget('http://8.8.8.8/hook', false)).toEqual({ ok: true });
  });
});
