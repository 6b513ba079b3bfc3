/**
 * @module Shares reads of a key among concurrent callers without ever answering a caller with a
 * read that began before it asked: a caller arriving while a read is in flight waits for the next
 * one, which starts as soon as the current one ends. Under load one read serves many callers.
 */

export interface FreshReader<T> {
  read(key: string): Promise<T>;
}

export function createFreshReader<T>(load: (key: string) => Promise<T>): FreshReader<T> {
  const states = new Map<string, { running?: Promise<T>; queued?: Promise<T> }>();

  const start = (key: string, state: { running?: Promise<T>; queued?: Promise<T> }): Promise<T> => {
    const p: Promise<T> = load(key).finally(() => {
      if (state.running === p) state.running = undefined;
      if (!state.running && !state.queued && states.get(key) === state) states.delete(key);
    });
    state.running = p;
    return p;
  };

  return {
    read(key) {
      let state = states.get(key);
      if (!state) states.set(key, (state = {}));
      const { running } = state;
      if (!running) return start(key, state);
      const s = state;
      return (s.queued ??= running
        .then(
          () => {},
          () => {},
        )
        .then(() => {
          s.queued = undefined;
          return start(key, s);
        }));
    },
  };
}
