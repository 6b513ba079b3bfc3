/**
 * @module Signed one-click unsubscribe tokens (RFC 8058): `userId.kind.channel.signature`, an
 * HMAC-SHA256 under this deployment's UNSUBSCRIBE_SECRET, so the link works without a login and
 * cannot be forged for another user or kind.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { CHANNELS, KINDS, type Channel, type Kind } from './kinds.ts';

const sign = (secret: string, body: string) => createHmac('sha256', secret).update(body).digest('base64url');

export function unsubscribeToken(secret: string, userId: string, kind: Kind, channel: Channel): string {
  const body = `${userId}.${kind}.${channel}`;
  return `${body}.${sign(secret, body)}`;
}

export function unsubscribeUrl(publicUrl: string, secret: string, userId: string, kind: Kind, channel: Channel = 'email'): string {
  return `${publicUrl.replace(/\/+$/, '')}/notifications/unsubscribe?token=${unsubscribeToken(secret, userId, kind, channel)}`;
}

/** The user, kind and channel the token names, or null when it is malformed or not ours. */
export function verifyUnsubscribeToken(secret: string, token: string): { userId: string; kind: Kind; channel: Channel } | null {
  const parts = token.split('.');
  if (parts.length !== 4) return null;
  const [userId, kind, channel, signature] = parts as [string, string, string, string];
  const expected = Buffer.from(sign(secret, `${userId}.${kind}.${channel}`));
  const given = Buffer.from(signature);
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) return null;
  if (!(KINDS as readonly string[]).includes(kind) || !(CHANNELS as readonly string[]).includes(channel)) return null;
  return { userId, kind: kind as Kind, channel: channel as Channel };
}
