/**
 * @module A load-client process for the realtime benchmarks (spawned by them over Bun IPC, never run
 * by hand): it holds its share of the sockets (bench/lib/wsClients.ts) in its own process, so the
 * hub's open-files limit counts only the hub's own sockets, and answers the driver's commands:
 * `open`, `stats`, `reset`, `storm` (count who catches up to a version), `close`.
 */
import { ClientPool, type ClientSpec } from './lib/wsClients.ts';

type Command =
  | { cmd: 'open'; spec: Omit<ClientSpec, 'token'>; tokens: string[]; size: number; offset: number; concurrency: number }
  | { cmd: 'stats' }
  | { cmd: 'reset' }
  | { cmd: 'storm'; version: number }
  | { cmd: 'close' };

let pool: ClientPool | null = null;

const rssKiB = async () => {
  const status = await Bun.file('/proc/self/status').text();
  return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? NaN);
};

const report = async () => {
  const s = pool!.stats;
  return { open: s.open, joined: s.joined, delivered: s.delivered, gaps: s.gaps, duplicates: s.duplicates, closes: s.closes, reconnects: s.reconnects, errors: s.errors, caughtUp: s.caughtUp, resyncs: s.resyncs, errorCodes: s.errorCodes, latency: s.latency.sparse(), rssKiB: await rssKiB() };
};

process.on('message', async (m: Command) => {
  switch (m.cmd) {
    case 'open': {
      pool = new ClientPool({ ...m.spec, token: (i) => m.tokens[(i + m.offset) % m.tokens.length]! }, m.size, m.offset);
      await pool.openAll(m.concurrency);
      process.send!({ type: 'opened', stats: await report() });
      return;
    }
    case 'stats':
      process.send!({ type: 'stats', stats: await report() });
      return;
    case 'reset':
      pool?.resetCounters();
      process.send!({ type: 'reset' });
      return;
    case 'storm':
      pool?.markStorm(m.version);
      process.send!({ type: 'storm' });
      return;
    case 'close':
      pool?.close();
      process.send!({ type: 'closed' });
      setTimeout(() => process.exit(0), 50);
  }
});
process.send!({ type: 'ready' });
