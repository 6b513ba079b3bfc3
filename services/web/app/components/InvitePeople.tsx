/**
 * @module The owner's invite links: create one (expiry, how many people), copy it (shown once:
 * only its hash is kept), see the others' use counts and revoke them. The Auth Service tells no
 * client who the owner is, so whether `GET /auth/invites` answers decides who sees the control.
 */
import { useCallback, useEffect, useRef, useState, type FormEvent } from 'react';
import { api, call } from '../api.ts';
import { EXPIRY_CHOICES, explainManageError, inviteState, parseMaxUses, type InviteInfo } from '../invite.ts';
import type { Me } from '../types.ts';
import { Modal } from './Modal.tsx';

interface Created extends InviteInfo {
  url: string;
}

const when = (iso: string, timeStyle: 'short' | 'medium' = 'short') => new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle }).format(new Date(iso));

/** Whether this user may manage invite links: only the owner's `GET /auth/invites` is answered. */
export function useCanInvite(me: Me | null | undefined): boolean {
  const [allowed, setAllowed] = useState(false);
  useEffect(() => {
    setAllowed(false);
    if (!me) return;
    let live = true;
    // 403 (not the owner) or any failure: no control; it is only a convenience.
    api.get('/auth/invites').then(() => live && setAllowed(true), () => {});
    return () => void (live = false);
  }, [me?.id]);
  return allowed;
}

/** Copies through the Clipboard API; where it is refused, selects the text and uses the older command. */
async function copy(text: string, input: HTMLInputElement | null): Promise<boolean> {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    input?.select();
    return document.execCommand('copy');
  }
}

export function InvitePeople({ onClose }: { onClose: () => void }) {
  const [invites, setInvites] = useState<InviteInfo[] | null>(null);
  const [created, setCreated] = useState<Created | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [usesError, setUsesError] = useState<string | null>(null);
  const [status, setStatus] = useState('');
  const [busy, setBusy] = useState(false);
  const linkRef = useRef<HTMLInputElement>(null);
  const copyRef = useRef<HTMLButtonElement>(null);
  const usesRef = useRef<HTMLInputElement>(null);

  const load = useCallback(() => {
    api.get<{ invites: InviteInfo[] }>('/auth/invites').then((r) => setInvites(r.invites), (e) => setError(explainManageError(e)));
  }, []);
  useEffect(load, [load]);

  const create = async (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const form = new FormData(e.currentTarget);
    const uses = parseMaxUses(String(form.get('maxUses') ?? ''));
    if ('error' in uses) {
      setUsesError(uses.error);
      usesRef.current?.focus();
      return;
    }
    setUsesError(null);
    setError(null);
    setBusy(true);
    try {
      const made = await api.post<Created>('/auth/invites', { expiresInHours: Number(form.get('expiresInHours')), maxUses: uses.ok });
      setCreated(made);
      setStatus('Invite link created. Copy it now: it is shown only once.');
      load();
      queueMicrotask(() => copyRef.current?.focus());
    } catch (err) {
      setError(explainManageError(err));
    } finally {
      setBusy(false);
    }
  };

  const copyLink = async () => {
    if (!created) return;
    setStatus((await copy(created.url, linkRef.current)) ? 'Link copied to the clipboard.' : 'Copying was refused: select the link and copy it yourself.');
  };

  const revoke = async (id: string) => {
    setError(null);
    try {
      await call('DELETE', `/auth/invites/${id}`);
      if (created?.id === id) setCreated(null);
      setStatus('Invite link revoked: it no longer lets anyone in.');
      load();
    } catch (err) {
      setError(explainManageError(err));
    }
  };

  return (
    <Modal title="Invite people" onClose={onClose}>
      <h2>Invite people</h2>
      <p className="muted">Whoever opens a link joins this board as a new user, with the name and email they choose. Then add them to projects from a board's Members.</p>
      {error && <p role="alert" className="error">{error}</p>}
      <form className="inline-form" onSubmit={create} noValidate aria-label="Create an invite link">
        <label>
          Expires after
          <select name="expiresInHours" defaultValue="72">
            {EXPIRY_CHOICES.map((c) => (
              <option key={c.hours} value={c.hours}>{c.label}</option>
            ))}
          </select>
        </label>
        <label>
          People who can join
          <input
            ref={usesRef}
            name="maxUses"
            type="number"
            inputMode="numeric"
            min={1}
            max={1000}
            step={1}
            defaultValue={1}
            required
            aria-invalid={usesError ? true : undefined}
            aria-describedby={usesError ? 'invite-uses-error' : undefined}
          />
          {usesError && <span id="invite-uses-error" className="error field-error">{usesError}</span>}
        </label>
        <button type="submit" className="primary" disabled={busy}>Create link</button>
      </form>
      <p role="status" aria-live="polite" className={status ? 'small' : 'hidden'}>{status}</p>
      {created && (
        <section aria-label="New invite link" className="stack">
          <div className="invite-link">
            <label>
              Invite link
              <input ref={linkRef} readOnly value={created.url} onFocus={(e) => e.currentTarget.select()} spellCheck={false} />
            </label>
            <button ref={copyRef} type="button" onClick={() => void copyLink()}>Copy link</button>
          </div>
          <p className="small muted">
            Shown only now. Valid until {when(created.expiresAt)} for {created.maxUses === 1 ? 'one person' : `${created.maxUses} people`}.
          </p>
        </section>
      )}
      <h3>Links</h3>
      {invites === null && !error && <p aria-busy="true">Loading…</p>}
      {invites?.length === 0 && <p className="empty">No invite links yet.</p>}
      <ul className="invites">
        {invites?.map((i) => {
          const state = inviteState(i);
          return (
            <li key={i.id} className="row wrap">
              <span>
                <strong>{state}</strong>
                <span className="muted"> · {i.uses} of {i.maxUses} used · created {when(i.createdAt)} · {state === 'expired' ? 'expired' : 'expires'} {when(i.expiresAt)}</span>
              </span>
              <span className="spacer" />
              {state === 'active' && (
                <button type="button" className="link" onClick={() => void revoke(i.id)} aria-label={`Revoke the link created ${when(i.createdAt, 'medium')}`}>Revoke</button>
              )}
            </li>
          );
        })}
      </ul>
    </Modal>
  );
}
