/**
 * @module Signing secrets, in the Standard Webhooks form (`whsec_` + base64 of 24 random bytes), used
 * both ways: Standard Webhooks keys on the decoded bytes, GitHub's HMAC on the whole string as typed
 * into its settings page. After a rotation the previous secret keeps working for a grace period.
 */
export const DEFAULT_GRACE_S = 24 * 3600;

export const newSecret = () => `whsec_${Buffer.from(crypto.getRandomValues(new Uint8Array(24))).toString('base64')}`;

/** The secrets a signature may be made with now: the current one, then the previous one in its grace. */
export function liveSecrets(row: { secret: string; previousSecret: string | null; previousSecretUntil: Date | null }, now = new Date()): string[] {
  const live = [row.secret];
  if (row.previousSecret && row.previousSecretUntil && row.previousSecretUntil > now) live.push(row.previousSecret);
  return live;
}

/** The columns a rotation sets: the new secret, the old one kept for `graceS` seconds (0: dropped now). */
export const rotation = (current: string, graceS: number, now = Date.now()) => ({
  secret: newSecret(),
  previousSecret: graceS > 0 ? current : null,
  previousSecretUntil: graceS > 0 ? new Date(now + graceS * 1000) : null,
});
