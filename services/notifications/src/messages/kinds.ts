/** @module The kinds of notification, the channels, and the defaults a user starts with. */
export const KINDS = ['assigned', 'commented', 'mentioned', 'status_changed', 'member_added', 'welcome'] as const;
export type Kind = (typeof KINDS)[number];

export const CHANNELS = ['in_app', 'email', 'push'] as const;
export type Channel = (typeof CHANNELS)[number];

export const LOCALES = ['es', 'en'] as const;
export type Locale = (typeof LOCALES)[number];

/** Issue 11 § 2: assigned/commented/mentioned by email and in-app, status changes in-app only. */
export const DEFAULT_CHANNELS: Record<Kind, Channel[]> = {
  assigned: ['email', 'in_app'],
  commented: ['email', 'in_app'],
  mentioned: ['email', 'in_app'],
  status_changed: ['in_app'],
  member_added: ['email', 'in_app'],
  welcome: ['email', 'in_app'],
};

/** `es-AR`, `ES`, `es_MX` → es; anything we have no templates for → en. */
export const toLocale = (tag: string | null | undefined): Locale => (tag && /^es\b|^es[-_]/i.test(tag) ? 'es' : 'en');
