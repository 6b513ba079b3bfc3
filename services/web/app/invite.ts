/**
 * @module Invite links in the browser, without React: the token read from the URL fragment (never
 * the path or query, so it stays out of server logs and Referer headers), the invitee's name and
 * email checked with the same rules as the Auth Service, and every refusal of
 * `POST /auth/invites/accept` turned into words a person can act on.
 */
import * as v from 'valibot';
import { ApiError } from './api.ts';

/** The Auth Service's tokens: `sbi_` and base64url; it takes at most 200 characters. */
const TOKEN = /^sbi_[A-Za-z0-9_-]{1,196}$/;
/** Chat apps and mail clients glue punctuation to a pasted link's end; none of it is ever a token character. */
const TRAILING = /[.,;:!?)\]}>'"]+$/;

export type FragmentToken = { token: string } | { problem: 'missing' | 'malformed' };

/** The token in `#sbi_…` (also `#token=sbi_…`), tolerating percent-encoding and trailing punctuation. */
export function parseInviteFragment(hash: string): FragmentToken {
  let raw = hash.startsWith('#') ? hash.slice(1) : hash;
  try {
    raw = decodeURIComponent(raw);
  } catch {
    return { problem: 'malformed' };
  }
  raw = raw.trim().replace(/^token=/, '').replace(TRAILING, '');
  if (!raw) return { problem: 'missing' };
  return TOKEN.test(raw) ? { token: raw } : { problem: 'malformed' };
}

/** Where the token waits between reading it and accepting: this tab only, gone when the tab closes. */
export const TOKEN_KEY = 'syncro.inviteToken';

interface Window {
  location: { hash: string; pathname: string; search: string };
  history: { replaceState(data: unknown, unused: string, url: string): void };
  sessionStorage: { getItem(k: string): string | null; setItem(k: string, v: string): void; removeItem(k: string): void };
}

/**
 * Takes the token out of the address bar at once (history, bookmarks and screen shares never keep
 * it), keeping it for this tab so a reload before accepting still works.
 */
export function takeInviteToken(w: Window = globalThis as unknown as Window): FragmentToken {
  if (w.location.hash) {
    const found = parseInviteFragment(w.location.hash);
    w.history.replaceState(null, '', w.location.pathname + w.location.search);
    if ('token' in found) w.sessionStorage.setItem(TOKEN_KEY, found.token);
    return found;
  }
  const kept = w.sessionStorage.getItem(TOKEN_KEY);
  return kept && TOKEN.test(kept) ? { token: kept } : { problem: 'missing' };
}

export const forgetInviteToken = (w: Pick<Window, 'sessionStorage'> = globalThis as unknown as Window) => w.sessionStorage.removeItem(TOKEN_KEY);

/** The Auth Service's own rules for the accept body (`invites.routes.ts`), with messages for people. */
const Invitee = v.object({
  name: v.pipe(v.string(), v.trim(), v.nonEmpty('Enter your name'), v.maxLength(100, 'Use at most 100 characters')),
  email: v.pipe(v.string(), v.trim(), v.nonEmpty('Enter your email address'), v.email('Enter an email address like name@example.com'), v.maxLength(254, 'Use at most 254 characters')),
});
export type Invitee = v.InferOutput<typeof Invitee>;
export type Field = keyof Invitee;
export type FieldErrors = Partial<Record<Field, string>>;

export function validateInvitee(input: { name: string; email: string }): { ok: Invitee } | { errors: FieldErrors } {
  const r = v.safeParse(Invitee, input, { abortPipeEarly: true });
  if (r.success) return { ok: r.output };
  const errors: FieldErrors = {};
  for (const issue of r.issues) {
    const field = v.getDotPath(issue) as Field | null;
    if (field && !errors[field]) errors[field] = issue.message;
  }
  return { errors };
}

/**
 * What a refusal means for the person: `link` (this link will never work: ask for a new one; the
 * form goes away), `field` (fix that field and try again), `taken` (the email has an account: sign
 * in), `retry` (wait or try again later).
 */
export type Refusal = { kind: 'link'; message: string } | { kind: 'field'; field: Field; message: string } | { kind: 'taken'; message: string } | { kind: 'retry'; message: string };

const ASK = 'Ask the person who sent it for a new link.';

export function explainRefusal(err: unknown): Refusal {
  if (!(err instanceof ApiError)) return { kind: 'retry', message: 'The board could not be reached. Check your connection and try again.' };
  switch (err.code) {
    case 'INVITE_EXPIRED':
      return { kind: 'link', message: `This invite link has expired. ${ASK}` };
    case 'INVITE_USED_UP':
      return { kind: 'link', message: `This invite link has already been used as many times as it allows. ${ASK}` };
    case 'INVITE_REVOKED':
      return { kind: 'link', message: `This invite link was withdrawn by the board's owner. ${ASK}` };
    case 'NOT_FOUND':
      return { kind: 'link', message: `This board does not know this invite link. Check that you opened the whole link. ${ASK}` };
    case 'EMAIL_DOMAIN_NOT_ALLOWED':
      // The service names the domains it takes ("Sign-in is limited to example.com addresses").
      return { kind: 'field', field: 'email', message: `${err.message}. Use an address at one of those domains.` };
    case 'EMAIL_TAKEN':
      return { kind: 'taken', message: 'Someone already has an account with this email. Sign in instead, or use another address.' };
    case 'RATE_LIMITED': {
      const s = Math.max(1, Math.ceil(Number(err.details?.retryAfterSeconds) || 60));
      return { kind: 'retry', message: `Too many attempts from your network. Try again in ${s} second${s === 1 ? '' : 's'}.` };
    }
    case 'VALIDATION_FAILED': {
      const problems: { field?: string; message?: string }[] = Array.isArray(err.details) ? err.details : [];
      const field = problems.map((p) => p.field).find((f): f is Field => f === 'name' || f === 'email');
      if (field) return { kind: 'field', field, message: field === 'email' ? 'Enter an email address like name@example.com' : 'Enter your name (at most 100 characters)' };
      // The token itself was refused: the link was cut short or mangled.
      return { kind: 'link', message: `This invite link is incomplete. Check that you opened the whole link. ${ASK}` };
    }
  }
  if (err.status >= 500) return { kind: 'retry', message: 'The board is having trouble right now. Try again in a moment.' };
  return { kind: 'retry', message: err.message };
}

/** Why managing links failed: a board whose owner is someone else (the control showed, then the API said no) is not an error of the page. */
export function explainManageError(err: unknown): string {
  if (err instanceof ApiError && err.code === 'NOT_OWNER') return 'Only the owner of this board can invite people.';
  if (err instanceof ApiError && err.status === 401) return 'Your session has ended: sign in again.';
  if (err instanceof ApiError && err.status < 500) return err.message;
  return 'The board could not be reached. Try again in a moment.';
}

/** The expiry choices of the "Invite people" form, in hours (the API takes 1 to 2160). */
export const EXPIRY_CHOICES = [
  { hours: 24, label: '1 day' },
  { hours: 72, label: '3 days' },
  { hours: 168, label: '7 days' },
  { hours: 720, label: '30 days' },
] as const;
export const MAX_USES_LIMIT = 1000;

/** How many people may join with one link: a whole number from 1 to 1000, as the API takes. */
export function parseMaxUses(input: string): { ok: number } | { error: string } {
  const n = Number(input.trim());
  if (!input.trim() || !Number.isInteger(n) || n < 1 || n > MAX_USES_LIMIT) return { error: `Enter a whole number from 1 to ${MAX_USES_LIMIT}` };
  return { ok: n };
}

export interface InviteInfo {
  id: string;
  maxUses: number;
  uses: number;
  createdAt: string;
  expiresAt: string;
  revokedAt: string | null;
}

export type InviteState = 'active' | 'expired' | 'used up' | 'revoked';

export function inviteState(i: InviteInfo, now = Date.now()): InviteState {
  if (i.revokedAt) return 'revoked';
  if (Date.parse(i.expiresAt) <= now) return 'expired';
  if (i.uses >= i.maxUses) return 'used up';
  return 'active';
}
