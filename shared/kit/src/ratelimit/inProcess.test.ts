import { describe, expect, test } from 'bun:test';
import { RateLimited } from '../errors/index.ts';
import { clientAddress, inProcessRateLimiter, takeOrThrow } from './index.ts';

const clock = () => {
  let t = 1_000_000;
  return { now: () => t, advance: (ms: number) => (t += ms) };
};

describe('in-process rate limiter', () => {
  test('a burst up to the limit passes, the next is refused with the wait until one is back', async () => {
    const c = clock();
    const limiter = inProcessRateLimiter({ limit: 5, windowS: 10 }, { now: c.now });
    for (let i = 0; i < 5; i++) expect(await limiter.take('a')).toEqual({ ok: true });
    const refused = await limiter.take('a');
    expect(refused).toEqual({ ok: false, retryAfterS: 2 });
    c.advance(1999);
    expect((await limiter.take('a')).ok).toBe(false);
    c.advance(1);
    expect((await limiter.take('a')).ok).toBe(true);
    expect((await limiter.take('a')).ok).toBe(false);
  });

  test('keys are independent; refusals do not extend the wait', async () => {
    const c = clock();
    const limiter = inProcessRateLimiter({ limit: 2, windowS: 1 }, { now: c.now });
    await limiter.take('a');
    await limiter.take('a');
    for (let i = 0; i < 50; i++) expect((await limiter.take('a')).ok).toBe(false);
    expect((await limiter.take('b')).ok).toBe(true);
    c.advance(1000);
    expect((await limiter.take('a')).ok).toBe(true);
    expect((await limiter.take('a')).ok).toBe(true);
  });

  test('memory is bounded: past maxKeys the least recently used key is forgotten', async () => {
    const c = clock();
    const limiter = inProcessRateLimiter({ limit: 1, windowS: 60 }, { now: c.now, maxKeys: 2 });
    await limiter.take('a');
    await limiter.take('b');
    await limiter.take('c'); // forgets a
    expect((await limiter.take('a')).ok).toBe(true);
    expect((await limiter.take('c')).ok).toBe(false);
  });

  test('takeOrThrow raises RateLimited with whole seconds to wait', async () => {
    const limiter = inProcessRateLimiter({ limit: 1, windowS: 30 });
    await takeOrThrow('guesses', [limiter, 'k']);
    const err = await takeOrThrow('guesses', [limiter, 'k']).catch((e) => e);
    expect(err).toBeInstanceOf(RateLimited);
    expect(err.retryAfterS).toBeGreaterThan(29);
    expect(err.message).toContain('guesses');
  });

  test('a nonsensical rule is refused at construction', () => {
    expect(() => inProcessRateLimiter({ limit: 0, windowS: 1 })).toThrow('limit >= 1');
  });
});

describe('client address', () => {
  const server = { requestIP: () => ({ address: '10.0.0.9' }) };
  const req = new Request('http://x/', { headers: { 'x-forwarded-for': '1.2.3.4, 192.0.2.7' } });
  test('the socket, unless a proxy is trusted; then the entry that proxy appended', () => {
    expect(clientAddress(req, server, false)).toBe('10.0.0.9');
    expect(clientAddress(req, server, true)).toBe('192.0.2.7');
    expect(clientAddress(new Request('http://x/'), server, true)).toBe('10.0.0.9');
    expect(clientAddress(new Request('http://x/'), null, false)).toBe('unknown');
  });
});
