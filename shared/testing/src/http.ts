/** @module A small JSON HTTP client for tests: status, parsed body and headers in one value. */

export interface Reply<T = any> {
  status: number;
  body: T;
  headers: Headers;
}

/** What the kit's `/health` answers (operator routes are not part of a service plugin's types). */
export interface HealthBody {
  status: 'ok' | 'degraded' | 'down';
  service: string;
  checks: Record<string, string>;
}

export interface Client {
  get<T = any>(path: string, headers?: Record<string, string>): Promise<Reply<T>>;
  post<T = any>(path: string, body?: unknown, headers?: Record<string, string>): Promise<Reply<T>>;
  patch<T = any>(path: string, body?: unknown, headers?: Record<string, string>): Promise<Reply<T>>;
  put<T = any>(path: string, body?: unknown, headers?: Record<string, string>): Promise<Reply<T>>;
  delete<T = any>(path: string, headers?: Record<string, string>): Promise<Reply<T>>;
  /** Sends a raw string body (malformed JSON and the like). */
  raw<T = any>(method: string, path: string, body: string, headers?: Record<string, string>): Promise<Reply<T>>;
}

export function client(baseUrl: string, token?: string): Client {
  const send = async (method: string, path: string, body: string | undefined, headers: Record<string, string> = {}) => {
    const res = await fetch(baseUrl + path, {
      method,
      headers: {
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        ...headers,
      },
      body,
    });
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : null;
    } catch {
      /* not JSON: keep the text so the assertion shows it */
    }
    return { status: res.status, body: parsed as any, headers: res.headers };
  };
  return {
    get: (p, h) => send('GET', p, undefined, h),
    post: (p, b, h) => send('POST', p, b === undefined ? undefined : JSON.stringify(b), h),
    patch: (p, b, h) => send('PATCH', p, b === undefined ? undefined : JSON.stringify(b), h),
    put: (p, b, h) => send('PUT', p, b === undefined ? undefined : JSON.stringify(b), h),
    delete: (p, h) => send('DELETE', p, undefined, h),
    raw: (m, p, b, h) => send(m, p, b, h),
  };
}
