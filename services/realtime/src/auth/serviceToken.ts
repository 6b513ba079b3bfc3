/**
 * @module The hub's service credential: OAuth2 client credentials at the Auth Service
 * (`POST {AUTH_URL}/auth/oauth/token`, HTTP Basic), cached and fetched again before it expires, so
 * rooms read the Ticket Service's event log without any user's token. Concurrent callers share one
 * request; a failed fetch is not cached (the next caller tries again).
 */
import { Unavailable } from '@syncro/kit/errors';

export interface ServiceTokenOptions {
  authUrl: string;
  clientId: string;
  clientSecret: string;
  scope?: string;
  /** Refetch once this share of the token's life has passed (default 0.8), and at least 10 s before expiry. */
  refreshAt?: number;
  timeoutMs?: number;
}

export interface ServiceTokenProvider {
  (): Promise<string>;
  /** Tokens fetched so far (metrics, tests). */
  readonly fetched: number;
}

export function createServiceTokenProvider({ authUrl, clientId, clientSecret, scope = 'events:read', refreshAt = 0.8, timeoutMs = 5000 }: ServiceTokenOptions): ServiceTokenProvider {
  const url = new URL('/auth/oauth/token', authUrl).toString();
  const authorization = `Basic ${Buffer.from(`${encodeURIComponent(clientId)}:${encodeURIComponent(clientSecret)}`).toString('base64')}`;
  let current: { token: string; refreshAfter: number; expiresAt: number } | null = null;
  let inFlight: Promise<string> | null = null;
  let fetched = 0;

  const fetchToken = async (): Promise<string> => {
    let res: Response;
    try {
      res = await fetch(url, {
        method: 'POST',
        headers: { authorization, 'content-type': 'application/json' },
        body: JSON.stringify({ grant_type: 'client_credentials', scope }),
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (err) {
      throw new Unavailable(`The Auth Service cannot be reached for the service credential: ${(err as Error).message}`);
    }
    if (!res.ok) {
      const body = (await res.json().catch(() => null)) as { error?: { code?: string; message?: string } } | null;
      throw new Unavailable(`The Auth Service refused the service credential for ${clientId}: ${res.status} ${body?.error?.code ?? ''} ${body?.error?.message ?? ''}`.trim());
    }
    const { access_token, expires_in } = (await res.json()) as { access_token: string; expires_in: number };
    const now = Date.now();
    const life = expires_in * 1000;
    current = { token: access_token, expiresAt: now + life, refreshAfter: now + Math.min(life * refreshAt, life - 10_000) };
    fetched++;
    return access_token;
  };

  const provider = (async () => {
    const now = Date.now();
    if (current && now < current.refreshAfter) return current.token;
    inFlight ??= fetchToken().finally(() => (inFlight = null));
    // Past the refresh point but still valid: a failed refetch does not stop reads yet.
    if (current && now < current.expiresAt - 1000) {
      const stillGood = current.token;
      return inFlight.catch(() => stillGood);
    }
    return inFlight;
  }) as ServiceTokenProvider;
  Object.defineProperty(provider, 'fetched', { get: () => fetched });
  return provider;
}
