// The Socket.IO 4 + @socket.io/redis-adapter side of bench/realtimeFanout.ts, run with Node (its
// home platform): `serve` is a Socket.IO node holding the clients (a `join` event puts a socket in a
// room); `publish <room> <rate> <seconds>` is a second node with no clients that emits to the room
// through the adapter (Redis PUBLISH -> the serving node -> its sockets), as the hub's bridge does.
import { createServer } from 'node:http';
import { createAdapter } from '@socket.io/redis-adapter';
import { createClient } from 'redis';
import { Server } from 'socket.io';

const [mode, ...args] = process.argv.slice(2);
const pub = createClient({ url: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379' });
const sub = pub.duplicate();
await Promise.all([pub.connect(), sub.connect()]);
const now = () => performance.timeOrigin + performance.now();

if (mode === 'serve') {
  const http = createServer();
  // Websocket only (the clients never poll), no per-message compression: as the hub.
  const io = new Server(http, { adapter: createAdapter(pub, sub), transports: ['websocket'], serveClient: false, perMessageDeflate: false });
  io.on('connection', (socket) => {
    socket.on('join', (room) => {
      socket.join(String(room));
      socket.emit('joined', room);
    });
  });
  http.listen(Number(process.env.PORT), '127.0.0.1');
} else if (mode === 'publish') {
  const [room, rate, seconds, projectId] = args;
  const io = new Server({ adapter: createAdapter(pub, sub) });
  const total = Number(rate) * Number(seconds);
  const t0 = now();
  for (let i = 0; i < total; i++) {
    const wait = t0 + (i * 1000) / Number(rate) - now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    io.to(room).emit('ticketCreated', {
      projectId, version: i + 1, ticketId: crypto.randomUUID(), code: `RT-${i + 1}`, title: String(now()),
      priority: 'MEDIUM', status: 'OPEN', labels: [], reporterId: projectId,
    });
  }
  console.log(JSON.stringify({ sent: total, seconds: (now() - t0) / 1000 }));
  await new Promise((r) => setTimeout(r, 200));
  process.exit(0);
} else {
  console.error('usage: node socketio.mjs serve | publish <room> <rate> <seconds> <projectId>');
  process.exit(2);
}
