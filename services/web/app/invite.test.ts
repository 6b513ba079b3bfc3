import { describe, expect, test } from 'bun:test';
import { ApiError } from './api.ts';
import { explainManageError, explainRefusal, forgetInviteToken, inviteState, parseInviteFragment, parseMaxUses, takeInviteToken, TOKEN_KEY, validateInvitee } from './invite.ts';

// A token as the Auth Service makes them: `sbi_` and 32 random bytes in base64url.
const TOKEN = `sbi_${Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString('base64url')}`;

describe('parseInviteFragment', () => {
  test('reads the token as the link carries it, encoded, named, or with punctuation a chat app glued on', () => {
    for (const hash of [`#${TOKEN}`, TOKEN, `#token=${TOKEN}`, `#${encodeURIComponent(TOKEN)}`, `#${TOKEN}.`, `#${TOKEN})`, `#${TOKEN}%20`, `#${TOKEN}>`]) {
      expect(parseInviteFragment(hash)).toEqual({ token: TOKEN });
    }
  });

  test('an empty fragment is missing; anything that is no token is malformed', () => {
    expect(parseInviteFragment('')).toEqual({ problem: 'missing' });
    expect(parseInviteFragment('#')).toEqual({ problem: 'missing' });
    expect(parseInviteFragment('#%20')).toEqual({ problem: 'missing' });
    for (const hash of ['#sbi_', '#abc', `#${TOKEN.slice(4)}`, '#sbi_a b', '#sbi_%E0%A4%A', `#sbi_${'a'.repeat(197)}`, '#sbi_<script>']) {
      expect(parseInviteFragment(hash)).toEqual({ problem: 'malformed' });
    }
    expect(parseInviteFragment(`#sbi_${'a'.repeat(196)}`)).toEqual({ token: `sbi_${'a'.repeat(196)}` });
  });
});

/** A window of its own: the address bar, its history calls and this tab's storage. */
function fakeWindow(href: string, stored: Record<string, string> = {}) {
  const url = new URL(href);
  const storage = new Map(Object.entries(stored));
  const replaced: string[] = [];
  const w = {
    location: { hash: url.hash, pathname: url.pathname, search: url.search },
    history: {
      replaceState: (_d: unknown, _u: string, to: string) => {
        replaced.push(to);
        const next = new URL(to, url);
        w.location = { hash: next.hash, pathname: next.pathname, search: next.search };
      },
    },
    sessionStorage: { getItem: (k: string) => storage.get(k) ?? null, setItem: (k: string, v: string) => void storage.set(k, v), removeItem: (k: string) => void storage.delete(k) },
  };
  return { w, storage, replaced };
}

describe('takeInviteToken', () => {
  test('takes the token out of the address bar at once, keeping the path and query, and keeps it for this tab', () => {
    const { w, storage, replaced } = fakeWindow(`https://board.example/invite?from=mail#${TOKEN}`);
    expect(takeInviteToken(w)).toEqual({ token: TOKEN });
    expect(replaced).toEqual(['/invite?from=mail']);
    expect(w.location.hash).toBe('');
    expect(storage.get(TOKEN_KEY)).toBe(TOKEN);
    // A reload finds no fragment but the kept token.
    expect(takeInviteToken(w)).toEqual({ token: TOKEN });
    forgetInviteToken(w);
    expect(takeInviteToken(w)).toEqual({ problem: 'missing' });
  });

  test('a malformed fragment is cleared too and keeps nothing; a new link replaces a kept token', () => {
    const bad = fakeWindow('https://board.example/invite#oops', { [TOKEN_KEY]: TOKEN });
    expect(takeInviteToken(bad.w)).toEqual({ problem: 'malformed' });
    expect(bad.replaced).toEqual(['/invite']);
    const other = `sbi_${'b'.repeat(43)}`;
    const fresh = fakeWindow(`https://board.example/invite#${other}`, { [TOKEN_KEY]: TOKEN });
    expect(takeInviteToken(fresh.w)).toEqual({ token: other });
    expect(fresh.storage.get(TOKEN_KEY)).toBe(other);
  });

  test('a kept value that is no token is not trusted', () => {
    const { w } = fakeWindow('https://board.example/invite', { [TOKEN_KEY]: 'garbage' });
    expect(takeInviteToken(w)).toEqual({ problem: 'missing' });
  });
});

describe('validateInvitee', () => {
  test('trims and accepts a name and an email', () => {
    expect(validateInvitee({ name: '  Ines  ', email: ' ines@example.com ' })).toEqual({ ok: { name: 'Ines', email: 'ines@example.com' } });
  });

  test('names each bad field once, with a message that says what to do', () => {
    expect(validateInvitee({ name: ' ', email: '' })).toEqual({ errors: { name: 'Enter your name', email: 'Enter your email address' } });
    expect(validateInvitee({ name: 'I', email: 'ines@' })).toEqual({ errors: { email: 'Enter an email address like name@example.com' } });
    expect(validateInvitee({ name: 'x'.repeat(101), email: 'a@b.co' })).toEqual({ errors: { name: 'Use at most 100 characters' } });
    expect(validateInvitee({ name: 'I', email: `${'a'.repeat(250)}@b.co` })).toEqual({ errors: { email: 'Use at most 254 characters' } });
  });
});

describe('explainRefusal', () => {
  const refusal = (status: number, code: string, message = 'server words', details?: unknown) => explainRefusal(new ApiError(status, code, message, details));

  test('a link that can never work says so and what to do', () => {
    expect(refusal(403, 'INVITE_EXPIRED')).toEqual({ kind: 'link', message: expect.stringContaining('has expired') });
    expect(refusal(403, 'INVITE_USED_UP')).toEqual({ kind: 'link', message: expect.stringContaining('already been used as many times as it allows') });
    expect(refusal(403, 'INVITE_REVOKED')).toEqual({ kind: 'link', message: expect.stringContaining('withdrawn') });
    expect(refusal(404, 'NOT_FOUND')).toEqual({ kind: 'link', message: expect.stringContaining('does not know this invite link') });
    for (const r of [refusal(403, 'INVITE_EXPIRED'), refusal(404, 'NOT_FOUND')]) expect(r.message).toContain('Ask the person who sent it for a new link.');
    expect(refusal(422, 'VALIDATION_FAILED', 'body.token: must be an invite token', [{ in: 'body', field: 'token', message: 'must be an invite token (sbi_…)' }])).toEqual({ kind: 'link', message: expect.stringContaining('incomplete') });
  });

  test('a refusal about the person’s input points at that field', () => {
    expect(refusal(403, 'EMAIL_DOMAIN_NOT_ALLOWED', 'Sign-in is limited to example.com addresses')).toEqual({ kind: 'field', field: 'email', message: 'Sign-in is limited to example.com addresses. Use an address at one of those domains.' });
    expect(refusal(422, 'VALIDATION_FAILED', 'x', [{ in: 'body', field: 'email', message: 'must be an email address' }])).toEqual({ kind: 'field', field: 'email', message: expect.stringContaining('email address') });
    expect(refusal(422, 'VALIDATION_FAILED', 'x', [{ in: 'body', field: 'name', message: 'must not be empty' }])).toEqual({ kind: 'field', field: 'name', message: expect.stringContaining('name') });
    expect(refusal(409, 'EMAIL_TAKEN')).toEqual({ kind: 'taken', message: expect.stringContaining('Sign in instead') });
  });

  test('waiting helps: the rate limit names the seconds; outages and network failures say try again', () => {
    expect(refusal(429, 'RATE_LIMITED', 'Too many invite accepts; retry in 42 s', { retryAfterSeconds: 41.2 })).toEqual({ kind: 'retry', message: 'Too many attempts from your network. Try again in 42 seconds.' });
    expect(refusal(429, 'RATE_LIMITED', 'x', { retryAfterSeconds: 0.3 }).message).toContain('in 1 second.');
    expect(refusal(429, 'RATE_LIMITED').message).toContain('in 60 seconds');
    expect(refusal(503, 'UNAVAILABLE')).toEqual({ kind: 'retry', message: expect.stringContaining('Try again in a moment') });
    expect(explainRefusal(new TypeError('Failed to fetch'))).toEqual({ kind: 'retry', message: expect.stringContaining('could not be reached') });
  });
});

test('inviteState: revoked beats expired beats used up', () => {
  const now = Date.parse('2026-11-30T12:00:00Z');
  const base = { id: 'x', maxUses: 2, uses: 0, createdAt: '2026-11-29T12:00:00Z', expiresAt: '2026-12-01T12:00:00Z', revokedAt: null };
  expect(inviteState(base, now)).toBe('active');
  expect(inviteState({ ...base, uses: 2 }, now)).toBe('used up');
  expect(inviteState({ ...base, uses: 2, expiresAt: '2026-11-30T12:00:00Z' }, now)).toBe('expired');
  expect(inviteState({ ...base, uses: 2, expiresAt: '2026-11-30T11:00:00Z', revokedAt: '2026-11-30T10:00:00Z' }, now)).toBe('revoked');
});

test('parseMaxUses: whole numbers from 1 to 1000 only', () => {
  expect(parseMaxUses('1')).toEqual({ ok: 1 });
  expect(parseMaxUses(' 25 ')).toEqual({ ok: 25 });
  expect(parseMaxUses('1000')).toEqual({ ok: 1000 });
  for (const bad of ['', ' ', '0', '-1', '1.5', '1001', 'ten', '1e9']) expect(parseMaxUses(bad)).toEqual({ error: 'Enter a whole number from 1 to 1000' });
});

test('explainManageError: a non-owner is told who may invite; other refusals keep the service’s words', () => {
  expect(explainManageError(new ApiError(403, 'NOT_OWNER', 'Only the owner of this board can manage invite links'))).toBe('Only the owner of this board can invite people.');
  expect(explainManageError(new ApiError(401, 'UNAUTHORIZED', 'x'))).toBe('Your session has ended: sign in again.');
  expect(explainManageError(new ApiError(422, 'VALIDATION_FAILED', 'body.maxUses: Invalid value'))).toBe('body.maxUses: Invalid value');
  expect(explainManageError(new ApiError(503, 'UNAVAILABLE', 'x'))).toContain('could not be reached');
  expect(explainManageError(new TypeError('Failed to fetch'))).toContain('could not be reached');
});
