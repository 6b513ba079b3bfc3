/** @module A person's initials on a colour derived from their id (stable across sessions). */
import { nameOf } from '../names.ts';

const hue = (id: string) => [...id].reduce((h, c) => (h * 31 + c.charCodeAt(0)) % 360, 7);
const initials = (name: string) =>
  name.split(/\s+/).filter(Boolean).slice(0, 2).map((w) => w[0]!.toUpperCase()).join('') || '?';

export function Avatar({ userId, name, size = 28 }: { userId: string; name?: string; size?: number }) {
  const n = name ?? nameOf(userId);
  return (
    <span className="avatar" role="img" aria-label={n} title={n} style={{ width: size, height: size, background: `hsl(${hue(userId)} 55% 42%)` }}>
      {initials(n)}
    </span>
  );
}
