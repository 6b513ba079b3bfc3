/**
 * @module A throwaway real Redis for resilience tests: redis-server on a free loopback port,
 * no persistence (`--save "" --appendonly no`), its own temp dir.
 *
 *   const redis = await startThrowawayRedis();
 *   ... new RedisClient(redis.url) ...
 *   await redis.stop();   // server down (data is gone: nothing is persisted)
 *   await redis.start();  // same port, empty server
 *   await redis.dispose(); // stop + delete the temp dir (also: `await using redis = ...`)
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Subprocess } from 'bun';
import { freePort } from './ports.ts';

export type ThrowawayRedis = {
  url: string;
  port: number;
  dir: string;
  /** Stops the server (SIGTERM, then SIGKILL after 5 s). No-op when already stopped. */
  stop(): Promise<void>;
  /** Starts it again on the same port; resolves once it answers PING. No-op when running. */
  start(): Promise<void>;
  /** Stops it and deletes its temp dir. Idempotent. */
  dispose(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
};

/** REDIS_SERVER, else /usr/bin/redis-server, else redis-server on PATH. */
function redisServerBinary(): string {
  const fromEnv = process.env.REDIS_SERVER;
  if (fromEnv) return fromEnv;
  if (existsSync('/usr/bin/redis-server')) return '/usr/bin/redis-server';
  const found = Bun.which('redis-server');
  if (!found) throw new Error('redis-server not found (apt-get install redis-server, or set REDIS_SERVER)');
  return found;
}

/** One raw RESP PING; true on +PONG. */
async function ping(port: number, timeoutMs = 500): Promise<boolean> {
  const { promise, resolve } = Promise.withResolvers<boolean>();
  let buf = '';
  const timer = setTimeout(() => resolve(false), timeoutMs);
  try {
    const socket = await Bun.connect({
      hostname: '127.0.0.1',
      port,
      socket: {
        open(s) {
          s.write('PING\r\n');
        },
        data(s, chunk) {
          buf += chunk.toString();
          if (buf.includes('\r\n')) {
            resolve(buf.startsWith('+PONG'));
            s.end();
          }
        },
        close() {
          resolve(false);
        },
        error() {
          resolve(false);
        },
      },
    });
    const ok = await promise;
    socket.end();
    return ok;
  } catch {
    return false;
  } finally {
    clearTimeout(timer);
  }
}

export async function startThrowawayRedis(opts: { startTimeoutMs?: number } = {}): Promise<ThrowawayRedis> {
  const bin = redisServerBinary();
  const dir = mkdtempSync(join(tmpdir(), 'syncro-redis-'));
  const port = freePort();
  const startTimeoutMs = opts.startTimeoutMs ?? 10_000;
  let proc: Subprocess | null = null;
  let disposed = false;

  const killOnExit = () => {
    proc?.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  };
  process.once('exit', killOnExit);

  const start = async () => {
    if (disposed) throw new Error('throwaway Redis already disposed');
    if (proc && proc.exitCode === null && proc.signalCode === null) return;
    const child = Bun.spawn(
      [
        bin,
        '--bind', '127.0.0.1',
        '--port', String(port),
        '--save', '',
        '--appendonly', 'no',
        '--dir', dir,
        '--daemonize', 'no',
        '--logfile', join(dir, 'redis.log'),
      ],
      { cwd: dir, stdin: 'ignore', stdout: 'ignore', stderr: 'pipe' },
    );
    proc = child;
    const deadline = Date.now() + startTimeoutMs;
    while (!(await ping(port))) {
      if (child.exitCode !== null || child.signalCode !== null) {
        const err = await new Response(child.stderr).text();
        const log = await Bun.file(join(dir, 'redis.log')).text().catch(() => '');
        throw new Error(`redis-server on port ${port} exited (${child.exitCode ?? child.signalCode}):\n${err}${log.slice(-2000)}`);
      }
      if (Date.now() > deadline) {
        child.kill('SIGKILL');
        throw new Error(`redis-server on port ${port} did not answer PING within ${startTimeoutMs} ms`);
      }
      await Bun.sleep(20);
    }
  };

  const stop = async () => {
    const child = proc;
    if (!child) return;
    proc = null;
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    const killed = await Promise.race([child.exited.then(() => false), Bun.sleep(5_000).then(() => true)]);
    if (killed) {
      child.kill('SIGKILL');
      await child.exited;
    }
  };

  const dispose = async () => {
    if (disposed) return;
    try {
      await stop();
    } finally {
      disposed = true;
      process.off('exit', killOnExit);
      rmSync(dir, { recursive: true, force: true });
    }
  };

  try {
    await start();
  } catch (err) {
    await dispose().catch(() => {});
    throw err;
  }
  return { url: `redis://127.0.0.1:${port}`, port, dir, stop, start, dispose, [Symbol.asyncDispose]: dispose };
}
