/**
 * @module Builds the board with Bun's own bundler (an HTML entry point: Bun follows its script and
 * stylesheet) into memory: minified, content-hashed assets, each also gzip-compressed once here so
 * requests never compress. `bun src/build.ts [outDir]` writes the same files to disk.
 */
import { join } from 'node:path';

export interface Asset {
  body: Uint8Array;
  gzip: Uint8Array;
  type: string;
  /** Hashed names never change content: cached for a year. index.html is revalidated every time. */
  immutable: boolean;
}

export type Assets = Map<string, Asset>;

export const APP_DIR = join(import.meta.dir, '../app');

const typeOf = (path: string) =>
  path.endsWith('.js') ? 'text/javascript; charset=utf-8'
  : path.endsWith('.css') ? 'text/css; charset=utf-8'
  : path.endsWith('.html') ? 'text/html; charset=utf-8'
  : path.endsWith('.svg') ? 'image/svg+xml'
  : 'application/octet-stream';

export async function buildBoard(opts: { minify?: boolean } = {}): Promise<Assets> {
  const result = await Bun.build({
    entrypoints: [join(APP_DIR, 'index.html')],
    minify: opts.minify ?? true,
    target: 'browser',
    naming: { entry: '[name].[ext]', chunk: 'assets/[name]-[hash].[ext]', asset: 'assets/[name]-[hash].[ext]' },
    define: { 'process.env.NODE_ENV': JSON.stringify('production') },
    publicPath: '/',
  });
  if (!result.success) throw new AggregateError(result.logs, `The board did not build: ${result.logs.map((l) => l.message).join('; ')}`);
  const assets: Assets = new Map();
  for (const out of result.outputs) {
    const path = '/' + out.path.replace(/^\.?\//, '');
    const body = new Uint8Array(await out.arrayBuffer());
    assets.set(path, { body, gzip: Bun.gzipSync(body, { level: 9 }), type: typeOf(path), immutable: path !== '/index.html' });
  }
  if (!assets.has('/index.html')) throw new Error(`The board build has no index.html (got ${[...assets.keys()].join(', ')})`);
  return assets;
}

if (import.meta.main) {
  const outDir = process.argv[2] ?? join(import.meta.dir, '../dist');
  const assets = await buildBoard();
  for (const [path, a] of assets) {
    await Bun.write(join(outDir, path), a.body);
    console.log(`${path}  ${(a.body.length / 1024).toFixed(1)} KiB, gzip ${(a.gzip.length / 1024).toFixed(1)} KiB`);
  }
}
