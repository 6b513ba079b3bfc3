/** @module Free loopback TCP ports for throwaway servers. */

/**
 * Returns `count` distinct ports that were free on 127.0.0.1 a moment ago: all are bound at once
 * (so they differ), read, then released. Another process may still grab one before the caller
 * binds it; callers that fail to bind should simply pick again.
 */
export function freePorts(count: number): number[] {
  const listeners = Array.from({ length: count }, () =>
    Bun.listen({ hostname: '127.0.0.1', port: 0, socket: { data() {} } }),
  );
  try {
    return listeners.map((l) => l.port);
  } finally {
    for (const l of listeners) l.stop(true);
  }
}

export function freePort(): number {
  return freePorts(1)[0] as number;
}
