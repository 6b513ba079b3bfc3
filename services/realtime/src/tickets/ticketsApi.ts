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

/**
 * At most `max` calls at once; the rest wait their turn in order. A reconnect storm brings every
 * client back within seconds: unbounded, that is tens of thousands of concurrent requests (and
 * sockets) at the Ticket Service, which then answers none of them in time.
 */
export function createLimiter(max: number) {
  let active = 0;
  const queue: (() => void)[] = [];
  return {
    async run<T>(task: () => Promise<T>): Promise<T> {
      if (active >= max) await new Promise<void>((resolve) => queue.push(resolve));
      else active++;
      try {
        return await task();
      } finally {
        const next = queue.shift();
        if (next) next();
        else active--;
      }
    },
    get waiting() {
      return queue.length;
    },
  };
}

export function createTicketsApi(baseUrl: string, { timeoutMs = 5000, maxConcurrent = 64 }: { timeoutMs?: number; maxConcurrent?: number } = {}) {
  const limiter = createLimiter(maxConcurrent);
  /** One call, its answer read by `read` while the slot is held (the connection is busy until then). */
  const call = <T>(method: string, path: string, token: string, body: unknown, read: (res: Response) => Promise<T>) =>
    limiter.run(async () => {
      let res: Response;
      try {
        // The deadline starts with the request, not in the queue: waiting one's turn is not a failure.
        res = await fetch(baseUrl + path, {
          method,
          headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
          body: body === undefined ? undefined : JSON.stringify(body),
          signal: AbortSignal.timeout(timeoutMs),
        });
      } catch (err) {
        throw new Unavailable(`The Ticket Service cannot be reached: ${(err as Error).message}`);
      }
      return read(res);
    });
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
    /** Calls waiting for a slot (metrics). */
    get waiting() {
      return limiter.waiting;
    },
    /** Whether the token's user is a member of `ref` (UUID or key) right now, and the project's version. */
    membership: (ref: string, token: string): Promise<MembershipAnswer> =>
      call('GET', `/projects/${encodeURIComponent(ref)}`, token, undefined, async (res) => {
        if (res.status === 200) {
          const p = (await res.json()) as ProjectView;
          return { member: true, project: { id: p.id, key: p.key, version: p.version } };
        }
        await res.body?.cancel();
        if (res.status === 401) return { member: false, unauthenticated: true, status: 401 };
        if (res.status >= 500) throw new Unavailable(`The Ticket Service answered ${res.status}`);
        return { member: false, status: res.status };
      }),
    events: (projectId: string, after: number, limit: number, token: string): Promise<EventLogPage> =>
      call('GET', `/projects/${projectId}/events?after=${after}&limit=${limit}`, token, undefined, async (res) => {
        if (res.status !== 200) {
          const r = await refusal(res);
          throw new Unavailable(`The event log of ${projectId} answered ${r.status} ${r.code}: ${r.message}`);
        }
        return (await res.json()) as EventLogPage;
      }),
    /** PATCH /tickets/:id/status as the user: null when moved, else the refusal (409 with the allowed targets, …). */
    move: (ticketId: string, status: string, token: string): Promise<ApiRefusal | null> =>
      call('PATCH', `/tickets/${encodeURIComponent(ticketId)}/status`, token, { status }, async (res) => {
        if (res.ok) {
          await res.body?.cancel();
          return null;
        }
        return refusal(res);
      }),
  };
}

export type TicketsApi = ReturnType<typeof createTicketsApi>;
