/**
 * A slow reader must not make the hub grow without bound: a socket that stops reading while its
 * room is busy is closed with 1013 once its unsent frames pass the limit; the room's other sockets
 * get everything.
 */
import { afterAll, beforeAll, expect, test } from 'bun:test';
import { RedisClient } from 'bun';
import { connect, type Socket as NetSocket } from 'node:net';
import { startThrowawayRedis, type ThrowawayRedis } from '@syncro/testing/redis';
import { eventually } from '@syncro/testing';
import { startHub, type Hub } from '../../test/harness.ts';

let redis: ThrowawayRedis;
let hub: Hub;
beforeAll(async () => {
  redis = await startThrowawayRedis();
  hub = await startHub({ redisUrl: redis.url, bridge: false, env: { WS_BACKPRESSURE_LIMIT_BYTES: String(256 * 1024) } });
}, 60_000);
afterAll(async () => {
  await hub?.stop();
  await redis?.dispose();
});

/** A WebSocket client by hand, so it can stop reading (pause) like a stalled phone. */
async function rawSocket(port: number, token: string): Promise<{ sock: NetSocket; sendText(text: string): void; closed: Promise<void> }> {
  const sock = connect(port, '127.0.0.1');
  await new Promise<void>((resolve) => sock.once('connect', () => resolve()));
  sock.write(
    `GET /ws HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
      `Sec-WebSocket-Key: ${btoa('0123456789abcdef')}\r\nSec-WebSocket-Version: 13\r\nAuthorization: Bearer ${token}\r\n\r\n`,
  );
  await new Promise<void>((resolve) => {
    let head = '';
    const onData = (chunk: Buffer) => {
      head += chunk.toString('latin1');
      if (head.includes('\r\n\r\n')) {
        sock.off('data', onData);
        resolve();
      }
    };
    sock.on('data', onData);
  });
  const closed = new Promise<void>((resolve) => sock.once('close', () => resolve()));
  return {
    sock,
    closed,
    sendText(text) {
      const payload = Buffer.from(text);
      const mask = Buffer.from([1, 2, 3, 4]);
      const masked = Buffer.from(payload.map((b, i) => b ^ mask[i % 4]!));
      sock.write(Buffer.concat([Buffer.from([0x81, 0x80 | payload.length]), mask, masked]));
    },
  };
}

test('a socket that stops reading is closed with 1013 past the limit; the others get every frame', async () => {
  const { user, project } = await hub.tickets.owner('Busy');
  const fast = await hub.socket(user);
  fast.send('joinProject', { projectId: project.id });
  const base = (await fast.next('joined')).data.version as number;
  const slow = await rawSocket(hub.port, await hub.idp.token(user));
  slow.sendText(JSON.stringify({ event: 'joinProject', data: { projectId: project.id } }));
  await eventually('both sockets in the room', () => hub.service.hub.rooms.get(project.id)?.size === 2);
  await Bun.sleep(100);
  slow.sock.pause();

  const publisher = new RedisClient(redis.url);
  const N = 2000;
  const title = 'x'.repeat(4000);
  for (let i = 1; i <= N; i++) {
    const data = { projectId: project.id, ticketId: crypto.randomUUID(), code: `${project.key}-${i}`, title, priority: 'LOW', status: 'OPEN', labels: [], reporterId: user.id };
    await publisher.send('PUBLISH', [`board:${project.id}`, JSON.stringify({ topic: 'ticket.created', version: base + i, data })]);
  }
  publisher.close();

  await eventually('the fast socket to get all', () => fast.board(project.id).length >= N, 30_000);
  expect(fast.board(project.id).map((f) => f.data.version)).toEqual(Array.from({ length: N }, (_, i) => base + 1 + i));
  await eventually('the slow socket closed by the hub', () => hub.service.sockets.size === 1 && hub.service.sockets.slowClosed === 1, 10_000);
  expect(hub.service.hub.rooms.get(project.id)?.size).toBe(1);
  slow.sock.destroy();
}, 90_000);
