/**
 * @module The board's HTTP calls: same origin, the session cookie, JSON both ways. A 401 spends the
 * refresh cookie once (shared by every call that hit it) and retries, so an expired access token
 * is never noticed.
 */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: any,
  ) {
    super(message);
  }
}

let refreshing: Promise<boolean> | null = null;

/** Spends the refresh cookie for new session cookies; false when there is no session to refresh. */
export function refreshSession(): Promise<boolean> {
  refreshing ??= fetch('/auth/refresh', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' })
    .then((r) => r.ok)
    .catch(() => false)
    .finally(() => setTimeout(() => (refreshing = null), 0));
  return refreshing;
}

export interface Reply<T> {
  body: T;
  etag: string | null;
}

export async function call<T = any>(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Reply<T>> {
  const send = () =>
    fetch(path, {
      method,
      headers: { accept: 'application/json', ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  let res = await send();
  if (res.status === 401 && !path.startsWith('/auth/') && (await refreshSession())) res = await send();
  const text = await res.text();
  const json = text ? JSON.parse(text) : null;
  if (!res.ok) {
    const e = json?.error ?? {};
    throw new ApiError(res.status, e.code ?? 'HTTP_' + res.status, e.message ?? res.statusText, e.details);
  }
  return { body: json as T, etag: res.headers.get('etag') };
}

export const api = {
  get: <T = any>(path: string) => call<T>('GET', path).then((r) => r.body),
  post: <T = any>(path: string, body: unknown = {}) => call<T>('POST', path, body).then((r) => r.body),
};
