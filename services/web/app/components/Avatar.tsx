/** @module A person's initials on a colour derived from their id (stable across sessions). */
import { nameOf } from '../names.ts';
import { avatarBackground } from './avatarColour.ts';

const initials = (name: string) =>
  name.split(/\s+/).filter(Boolean).slice(0, 2).map((w) => w[0]!.toUpperCase()).join('') || '?';

/** `decorative`: the name is said in text beside it, so screen readers skip the picture. */
export function Avatar({ userId, name, size = 28, decorative }: { userId: string; name?: string; size?: number; decorative?: boolean }) {
  const n = name ?? nameOf(userId);
  return (
    <span className="avatar" {...(decorative ? { 'aria-hidden': true } : { role: 'img', 'aria-label': n })} title={n} style={{ width: size, height: size, background: avatarBackground(userId) }}>
      {initials(n)}
    </span>
  );
}
