/** @module The bar above every page: home, where you are, inviting people (the owner), notifications, who you are, sign out. */
import type { Me } from '../types.ts';
import { navigate } from '../router.ts';
import { Avatar } from './Avatar.tsx';
import { Bell } from './Bell.tsx';
import { ConnectionBanner } from './ConnectionBanner.tsx';

export function TopBar({ me, projectKey, onSignOut, onInvite }: { me: Me; projectKey: string | null; onSignOut: () => void; onInvite: (() => void) | null }) {
  return (
    <header className="topbar">
      <a href="/" className="brand" onClick={(e) => (e.preventDefault(), navigate('/'))}>SyncroBoard</a>
      {projectKey && <span className="crumb" aria-label="Project">/ {projectKey}</span>}
      <span className="spacer" />
      <ConnectionBanner />
      {onInvite && <button type="button" className="ghost" onClick={onInvite}>Invite people</button>}
      <Bell />
      <Avatar userId={me.id} name={me.name} />
      <button type="button" className="ghost" onClick={onSignOut}>Sign out</button>
    </header>
  );
}
