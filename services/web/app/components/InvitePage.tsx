/**
 * @module The page an invite link opens (`/invite#sbi_…`): the token is taken from the fragment on
 * the first render, the person gives a name and an email, and accepting signs them in (the Auth
 * Service sets the session cookies) as a new user of this board.
 */
import { useEffect, useRef, useState, type FormEvent, type InputHTMLAttributes, type MouseEvent } from 'react';
import { api } from '../api.ts';
import { explainRefusal, forgetInviteToken, takeInviteToken, validateInvitee, type Field, type FieldErrors, type Refusal } from '../invite.ts';
import { navigate } from '../router.ts';
import type { Me } from '../types.ts';

const LINK_PROBLEM = {
  missing: 'This page needs the whole invite link, including the part after the # sign. Open the link you were sent again.',
  malformed: 'This invite link is damaged or incomplete. Open the link you were sent again, or ask the person who sent it for a new one.',
};

export function InvitePage({ me, onAccepted }: { me: Me | null | undefined; onAccepted: (user: Me) => void }) {
  const [link, setLink] = useState(takeInviteToken);
  const [errors, setErrors] = useState<FieldErrors>({});
  const [refusal, setRefusal] = useState<Refusal | null>(null);
  const [busy, setBusy] = useState(false);
  // Read out on every failed try, even when focus cannot move (it is on the first bad field already); a new key re-announces the same words.
  const [announced, setAnnounced] = useState<{ key: number; text: string } | null>(null);
  const fields = { name: useRef<HTMLInputElement>(null), email: useRef<HTMLInputElement>(null) };
  // Another link pasted into this tab changes only the fragment: no page load, so read it here.
  useEffect(() => {
    const onHash = () => {
      setLink(takeInviteToken());
      setRefusal(null);
      setErrors({});
    };
    addEventListener('hashchange', onHash);
    return () => removeEventListener('hashchange', onHash);
  }, []);

  const showFieldErrors = (found: FieldErrors) => {
    setErrors(found);
    setAnnounced((a) => ({ key: (a?.key ?? 0) + 1, text: Object.values(found).filter(Boolean).join('. ') }));
    // Focus lands on the first field to fix; its error is read out as the field's description.
    const first = (['name', 'email'] as const).find((f) => found[f]);
    if (first) queueMicrotask(() => fields[first].current?.focus());
  };

  const submit = async (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    if (!('token' in link) || busy) return;
    const form = new FormData(e.currentTarget);
    const checked = validateInvitee({ name: String(form.get('name') ?? ''), email: String(form.get('email') ?? '') });
    setRefusal(null);
    if ('errors' in checked) return showFieldErrors(checked.errors);
    setErrors({});
    setBusy(true);
    try {
      const { user } = await api.post<{ user: Me }>('/auth/invites/accept', { token: link.token, ...checked.ok });
      forgetInviteToken();
      onAccepted(user);
    } catch (err) {
      const r = explainRefusal(err);
      if (r.kind === 'field') showFieldErrors({ [r.field]: r.message });
      else setRefusal(r);
      if (r.kind === 'link') forgetInviteToken();
    } finally {
      setBusy(false);
    }
  };

  const toLogin = (e: MouseEvent) => (e.preventDefault(), navigate('/login'));
  const dead = 'problem' in link || refusal?.kind === 'link';
  const field = (name: Field, label: string, input: InputHTMLAttributes<HTMLInputElement>) => (
    <label>
      {label}
      <input
        ref={fields[name]}
        name={name}
        required
        aria-invalid={errors[name] ? true : undefined}
        aria-describedby={errors[name] ? `invite-${name}-error` : undefined}
        onInput={() => errors[name] && setErrors({ ...errors, [name]: undefined })}
        {...input}
      />
      {errors[name] && <span id={`invite-${name}-error`} className="error field-error">{errors[name]}</span>}
    </label>
  );

  return (
    <main className="login">
      <div className="login-card invite-card">
        <p className="brand">SyncroBoard</p>
        <h1>Join this board</h1>
        {'problem' in link ? (
          <p role="alert" className="error">{LINK_PROBLEM[link.problem]}</p>
        ) : refusal?.kind === 'link' ? (
          <p role="alert" className="error">{refusal.message}</p>
        ) : (
          <p className="muted">You were invited. Choose the name others will see and the email address you will be known by.</p>
        )}
        {me && !dead && (
          <p className="note">
            You are signed in as {me.name} ({me.email}). Joining creates a separate account for the address below and signs you in as it.{' '}
            <a href="/" onClick={(e) => (e.preventDefault(), navigate('/'))}>Back to the board</a>
          </p>
        )}
        {!dead && (
          <form className="stack" onSubmit={submit} noValidate aria-label="Join this board">
            {announced && Object.values(errors).some(Boolean) && <p key={announced.key} role="alert" className="sr-only">{announced.text}</p>}
            {refusal && (
              <p role="alert" className="error">
                {refusal.message}
                {refusal.kind === 'taken' && <> <a href="/login" onClick={toLogin}>Go to sign in</a></>}
              </p>
            )}
            {field('name', 'Name', { autoComplete: 'name', maxLength: 100 })}
            {field('email', 'Email', { type: 'email', autoComplete: 'email', maxLength: 254, spellCheck: false })}
            <button type="submit" className="primary" disabled={busy} aria-busy={busy}>{busy ? 'Joining…' : 'Join the board'}</button>
          </form>
        )}
        {dead && (
          <p className="muted">
            Already have an account? <a href="/login" onClick={toLogin}>Sign in</a>
          </p>
        )}
      </div>
    </main>
  );
}
