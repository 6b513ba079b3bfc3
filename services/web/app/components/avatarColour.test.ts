import { expect, test } from 'bun:test';
import { AVATAR_LIGHTNESS, AVATAR_SATURATION } from './avatarColour.ts';

// The avatar background for every hue must give its white 11px initials WCAG AA contrast (4.5:1).
const hslToRgb = (h: number, s: number, l: number) => {
  const a = s * Math.min(l, 1 - l);
  const f = (n: number) => {
    const k = (n + h / 30) % 12;
    return l - a * Math.max(-1, Math.min(k - 3, 9 - k, 1));
  };
  return [f(0), f(8), f(4)];
};
const lum = (c: number) => (c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4);

test('white on every avatar colour meets 4.5:1', () => {
  const [s, l] = [AVATAR_SATURATION, AVATAR_LIGHTNESS];
  for (let h = 0; h < 360; h++) {
    const [r, g, b] = hslToRgb(h, Number(s) / 100, Number(l) / 100).map(lum) as [number, number, number];
    const L = 0.2126 * r + 0.7152 * g + 0.0722 * b;
    expect(1.05 / (L + 0.05)).toBeGreaterThanOrEqual(4.5);
  }
});
