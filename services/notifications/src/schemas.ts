/** @module Request schemas of every route (valibot): the messages name the field and what it must be. */
import { ProjectKey, Uuid } from '@syncro/contracts';
import * as v from 'valibot';
import { DELIVERY_STATUSES } from './delivery/delivery.model.ts';
import { CHANNELS, KINDS, LOCALES } from './messages/kinds.ts';

const Limit = v.optional(
  v.pipe(v.string(), v.regex(/^\d{1,3}$/, 'must be a whole number from 1 to 100'), v.transform(Number), v.minValue(1, 'must be at least 1'), v.maxValue(100, 'must be at most 100')),
);
const Cursor = v.optional(v.pipe(v.string(), v.uuid('must be the nextCursor of a previous page')));

export const PageQuery = v.strictObject({ cursor: Cursor, limit: Limit });
export const DeliveriesQuery = v.strictObject({
  cursor: Cursor,
  limit: Limit,
  status: v.optional(v.picklist(DELIVERY_STATUSES, `must be one of ${DELIVERY_STATUSES.join(', ')}`)),
});

export const NotificationParams = v.object({ id: v.pipe(v.string(), v.uuid('must be a notification UUID')) });
export const ProjectParams = v.object({ id: v.union([Uuid, ProjectKey], 'must be a project UUID or key like SYNC') });

const ChannelList = v.union(
  [
    v.literal('none'),
    v.pipe(v.array(v.picklist(CHANNELS, `must be one of ${CHANNELS.join(', ')}`)), v.maxLength(CHANNELS.length)),
  ],
  `must be "none" or a list of channels from ${CHANNELS.join(', ')}`,
);

export const PreferencesBody = v.pipe(
  v.strictObject({
    channels: v.optional(v.strictObject(Object.fromEntries(KINDS.map((k) => [k, v.optional(ChannelList)])) as Record<(typeof KINDS)[number], v.OptionalSchema<typeof ChannelList, undefined>>)),
    muted: v.optional(v.boolean('must be true or false')),
    locale: v.optional(v.nullable(v.picklist(LOCALES, `must be one of ${LOCALES.join(', ')}, or null for the account's`))),
  }),
  v.check((b) => Object.keys(b).length > 0, 'name at least one of channels, muted, locale'),
);

export const MuteBody = v.strictObject({ muted: v.boolean('must be true or false') });

export const PushSubscriptionBody = v.object({
  endpoint: v.pipe(v.string('must be a URL'), v.url('must be a URL'), v.check((s) => /^https?:$/.test(new URL(s).protocol), 'must be an http(s) URL'), v.maxLength(2000)),
  keys: v.object({
    p256dh: v.pipe(v.string('must be the base64url P-256 public key'), v.regex(/^[A-Za-z0-9_-]{80,100}={0,2}$/, 'must be the base64url P-256 public key')),
    auth: v.pipe(v.string('must be the base64url auth secret'), v.regex(/^[A-Za-z0-9_-]{16,32}={0,2}$/, 'must be the base64url auth secret')),
  }),
});

export const UnsubscribeQuery = v.object({ token: v.pipe(v.string('is required'), v.minLength(1, 'is required'), v.maxLength(300)) });
