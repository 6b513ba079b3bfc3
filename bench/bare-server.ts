/**
 * @module The ceiling for board reads: a bare `Bun.serve` that answers every request with the same
 * bytes from memory, with the content type the service uses. No routing, no auth, no framework.
 *
 *   bun bench/bare-server.ts <port> <body-file> [content-type]
 */
const [portArg, bodyFile, contentType = 'application/json'] = process.argv.slice(2);
if (!portArg || !bodyFile) {
  console.error('usage: bun bench/bare-server.ts <port> <body-file> [content-type]');
  process.exit(2);
}
const body = new Uint8Array(await Bun.file(bodyFile).arrayBuffer());
const server = Bun.serve({
  hostname: '127.0.0.1',
  port: Number(portArg),
  fetch: () => new Response(body, { headers: { 'content-type': contentType } }),
});
const stop = () => {
  void server.stop(true);
  process.exit(0);
};
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
console.log(`bare server on ${server.url} (${body.length} bytes, ${contentType})`);
export {};
