/**
 * @module Create → event on a subscribed socket: an open loop of `POST /projects/:id/tickets` at
 * BENCH_RATE/s (100) for BENCH_SECONDS (10) against a real Ticket Service, Kafka, the hub's bridge
 * and Redis, with BENCH_SOCKETS (50) sockets joined to the room; for every create, when its HTTP
 * answer came and when its `ticketCreated` frame reached each socket. Everything runs in this one
 * process (Ticket Service, hub, clients), so the numbers are pessimistic on a small machine.
 *
 *   bun bench/realtimeCreateToSocket.ts
 */
import { startHub } from '../services/realtime/test/harness.ts';
import { cleanup, useBenchNamespace } from './lib.ts';

const RATE = Number(process.env.BENCH_RATE ?? 100);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const SOCKETS = Number(process.env.BENCH_SOCKETS ?? 50);

const pct = (xs: number[], p: number) => {
  const s = xs.toSorted((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? NaN;
};
const ms = (x: number) => `${x.toFixed(1)} ms`;

process.env.LOG_LEVEL ??= 'error';
// Its own topics: the running system never sees the bench's events (removed by cleanup()).
await useBenchNamespace();
const hub = await startHub();
try {
  const { user, api, project } = await hub.tickets.owner('Bench');
  const sent = new Map<string, number>();
  const acked = new Map<string, number>();
  const delivered: number[] = [];
  /** From the create's HTTP answer (the commit) to the frame: outbox relay → Kafka → bridge → Redis → room → socket. */
  const afterAck: number[] = [];
  const sockets = await Promise.all(Array.from({ length: SOCKETS }, () => hub.socket(user)));
  let received = 0;
  for (const s of sockets) {
    s.ws.addEventListener('message', (e) => {
      const at = performance.now();
      const f = JSON.parse(String(e.data));
      if (f.event !== 'ticketCreated') return;
      const start = sent.get(f.data.title);
      if (start !== undefined) delivered.push(at - start);
      const ackAt = acked.get(f.data.title);
      if (start !== undefined && ackAt !== undefined) afterAck.push(at - start - ackAt);
      received++;
    });
    s.send('joinProject', { projectId: project.id });
    await s.next('joined');
  }
  const total = RATE * SECONDS;
  const t0 = performance.now();
  const inflight: Promise<void>[] = [];
  for (let i = 0; i < total; i++) {
    const due = t0 + (i * 1000) / RATE;
    const wait = due - performance.now();
    if (wait > 0) await Bun.sleep(wait);
    const title = `b${i}`;
    sent.set(title, performance.now());
    inflight.push(
      api.post(`/projects/${project.id}/tickets`, { title }).then((r) => {
        if (r.status !== 201) throw new Error(`create ${r.status}`);
        acked.set(title, performance.now() - sent.get(title)!);
      }),
    );
  }
  await Promise.all(inflight);
  const until = performance.now() + 30_000;
  while (received < total * SOCKETS && performance.now() < until) await Bun.sleep(20);
  const ack = [...acked.values()];
  console.log(`creates ${total} at ${RATE}/s, ${SOCKETS} sockets, frames ${received}/${total * SOCKETS}`);
  console.log(`create acknowledged (HTTP 201): p50 ${ms(pct(ack, 50))}  p99 ${ms(pct(ack, 99))}`);
  console.log(`frame after the 201 (pipeline):  p50 ${ms(pct(afterAck, 50))}  p99 ${ms(pct(afterAck, 99))}`);
  console.log(`frame on a socket (from send):   p50 ${ms(pct(delivered, 50))}  p99 ${ms(pct(delivered, 99))}  max ${ms(Math.max(...delivered))}`);
} finally {
  await hub.stop();
  await cleanup();
  process.exit(0);
}
