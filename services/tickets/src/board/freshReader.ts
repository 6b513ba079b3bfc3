/**
 * @module Shares reads of a key among concurrent callers without ever answering a caller with a
 * read that began before it asked: a caller arriving while a read is in flight waits for the next
 * one. The next one starts when the current ends, but not sooner than `minIntervalMs` after it
 * began: under load there is always a read in flight, and without the spacing the number of reads
 * would follow the round-trip time instead of the load. With it, one read serves every caller of
 * that interval, at the cost of at most that interval of extra latency.
 */

export interface FreshReader<T> {
  read(key: string): Promise<T>;
}

interface State<T> {
  running?: Promise<T>;
  startedAt: number;
  queued?: Promise<T>;
}

export function createFreshReader<T>(load: (key: string) => Promise<T>, minIntervalMs = 0): FreshReader<T> {
  const states = new Map<string, State<T>>();

  const start = (state: State<T>, key: string): Promise<T> => {
    state.startedAt = performance.now();
    const p: Promise<T> = load(key).finally(() => {
      if (state.running === p) state.running = undefined;
    });
    state.running = p;
    return p;
  };

  return {
    read(key) {
      let state = states.get(key);
      if (!state) {
        if (states.size >= 10_000) states.clear(); // keys are project ids: a bound, not an eviction policy
        states.set(key, (state = { startedAt: -Infinity }));
      }
      // A queued read has not started yet, so it started after this caller asked: join it.
      if (state.queued) return state.queued;
      if (!state.running && performance.now() - state.startedAt >= minIntervalMs) return start(state, key);
      const s = state;
      const previous = s.running ?? Promise.resolve();
      return (s.queued = previous
        .then(
          () => {},
          () => {},
        )
        .then(() => {
          const wait = s.startedAt + minIntervalMs - performance.now();
          return wait > 0 ? Bun.sleep(wait) : undefined;
        })
        .then(() => {
          s.queued = undefined;
          return start(s, key);
        }));
    },
  };
}
