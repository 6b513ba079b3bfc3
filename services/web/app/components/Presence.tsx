/** @module Who has this board open right now. */
import type { PresenceUser } from '@syncro/realtime-client';
import { Avatar } from './Avatar.tsx';

export function Presence({ users }: { users: PresenceUser[] }) {
  const unique = [...new Map(users.map((u) => [u.userId, u])).values()];
  return (
    <div className="presence" role="group" aria-label={`On this board now: ${unique.map((u) => u.name).join(', ') || 'nobody else'}`}>
      {unique.map((u) => (
        <Avatar key={u.userId} userId={u.userId} name={u.name} size={26} />
      ))}
    </div>
  );
}
