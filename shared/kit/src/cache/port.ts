/** @module The cache port: a few string commands and Lua, enough for the board cache on any Redis. */

export interface Cache {
  get(key: string): Promise<string | null>;
  set(key: string, value: string, ttlSeconds: number): Promise<void>;
  del(...keys: string[]): Promise<void>;
  /** Runs a Lua script atomically (both adapters speak EVAL). */
  eval(script: string, keys: string[], args: string[]): Promise<unknown>;
  ping(): Promise<void>;
  close(): void;
}

export class CacheUnavailable extends Error {
  override name = 'CacheUnavailable';
}

/** Fails a cache call after `ms` instead of letting a request wait on a sick Redis. */
export function withDeadline<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout>;
  return Promise.race([
    p,
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new CacheUnavailable(`${what} timed out after ${ms} ms`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}
