/**
 * @module The Ticket Service over HTTP, always with a caller's own token: membership now (the
 * project as that user sees it), the project's event log, and status moves on the user's behalf.
 */
import { Unavailable } from '@syncro/kit/errors';
import type { BoardEvent } from '../redis/boardLog.ts';

export interface ProjectView {
  id: string;
  key: string;
  version: number;
}

export type MembershipAnswer =
  | { member: true; project: ProjectView }
  | { member: false; status: number }
  | { member: false; unauthenticated: true; status: 401 };

export interface EventLogPage {
  version: number;
  resync: boolean;
  hasMore: boolean;
  events: BoardEvent[];
}

export interface ApiRefusal {
  status: number;
  code: string;
  message: string;
  details?: unknown;
}

export function createTicketsApi(baseUrl: string, timeoutMs = 5000) {
  const call = async (method: string, path: string, token: string, body?: unknown) => {
    try {
      return await fetch(baseUrl + path, {
        method,
        headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (err) {
      throw new Unavailable(`The Ticket Service cannot be reached: ${(err as Error).message}`);
    }
  };
  const refusal = async (res: Response): Promise<ApiRefusal> => {
    const body = (await res.json().catch(() => null)) as { error?: { code?: string; message?: string; details?: unknown } } | null;
    return {
      status: res.status,
      code: body?.error?.code ?? `HTTP_${res.status}`,
      message: body?.error?.message ?? res.statusText,
      ...(body?.error?.details !== undefined ? { details: body.error.details } : {}),
    };
  };

  return {
    /** Whether the token's user is a member of `ref` (UUID or key) right now, and the project's version. */
    async membership(ref: string, token: string): Promise<MembershipAnswer> {
      const res = await call('GET', `/projects/${encodeURIComponent(ref)}`, token);
      if (res.status === 200) {
        const p = (await res.json()) as ProjectView;
        return { member: true, project: { id: p.id, key: p.key, version: p.version } };
      }
      await res.body?.cancel();
      if (res.status === 401) return { member: false, unauthenticated: true, status: 401 };
      if (res.status >= 500) throw new Unavailable(`The Ticket Service answered ${res.status}`);
      return { member: false, status: res.status };
    },
    async events(projectId: string, after: number, limit: number, token: string): Promise<EventLogPage> {
      const res = await call('GET', `/projects/${projectId}/events?after=${after}&limit=${limit}`, token);
      if (res.status !== 200) {
        const r = await refusal(res);
        throw new Unavailable(`The event log of ${projectId} answered ${r.status} ${r.code}: ${r.message}`);
      }
      return (await res.json()) as EventLogPage;
    },
    /** PATCH /tickets/:id/status as the user: null when moved, else the refusal (409 with the allowed targets, …). */
    async move(ticketId: string, status: string, token: string): Promise<ApiRefusal | null> {
      const res = await call('PATCH', `/tickets/${encodeURIComponent(ticketId)}/status`, token, { status });
      if (res.ok) {
        await res.body?.cancel();
        return null;
      }
      return refusal(res);
    },
  };
}

export type TicketsApi = ReturnType<typeof createTicketsApi>;
