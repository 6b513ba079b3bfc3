/** @module An avatar's background from its user's id: stable, and dark enough for white initials (tested). */
export const AVATAR_SATURATION = 50;
export const AVATAR_LIGHTNESS = 30;
export const avatarHue = (id: string) => [...id].reduce((h, c) => (h * 31 + c.charCodeAt(0)) % 360, 7);
export const avatarBackground = (id: string) => `hsl(${avatarHue(id)} ${AVATAR_SATURATION}% ${AVATAR_LIGHTNESS}%)`;
