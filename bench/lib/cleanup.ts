/** @module The run's lifetime: undo steps registered as things start, run last-first by `cleanup()` (at the end and on SIGINT/SIGTERM), and `runBenchmark`, which always calls it. */
import { rmSync } from 'node:fs';
import { PROFILE_DIR, log, workDir } from './env.ts';
import { reportProfiles } from './profiles.ts';

const cleanups: { name: string; run: () => Promise<void> }[] = [];
let cleaning: Promise<void> | null = null;

/** Registers an undo step; steps run last-registered first. Returns a function that runs it now. */
export function onCleanup(name: string, run: () => Promise<void>): () => Promise<void> {
  const entry = { name, run };
  cleanups.push(entry);
  return async () => {
    const i = cleanups.indexOf(entry);
    if (i < 0) return;
    cleanups.splice(i, 1);
    await run();
  };
}

export function cleanup(): Promise<void> {
  return (cleaning ??= (async () => {
    while (cleanups.length) {
      const step = cleanups.pop()!;
      try {
        await step.run();
      } catch (err) {
        log(`cleanup of ${step.name} failed: ${(err as Error).message}`);
      }
    }
    cleaning = null;
  })());
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    log(`${signal}: cleaning up`);
    void cleanup().finally(() => process.exit(130));
  });
}

/**
 * Runs a benchmark's main, then always cleans up (processes, scratch databases, cache keys). The
 * scratch folder with the children's logs is kept when the run failed or profiled, else removed.
 */
export async function runBenchmark(label: string, main: () => Promise<void>) {
  let failed = false;
  try {
    await main();
  } catch (err) {
    failed = true;
    log(`failed: ${(err as Error).stack ?? err}`);
    log(`logs of the child processes are in ${workDir}`);
  } finally {
    await cleanup();
  }
  reportProfiles(label);
  if (!failed && !PROFILE_DIR) rmSync(workDir, { recursive: true, force: true });
  process.exit(failed ? 1 : 0);
}
