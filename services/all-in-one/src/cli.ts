/**
 * @module The `syncroboard` command: `serve` (default), `migrate`, `version`, `--help`. Shared by
 * `bun src/main.ts` (from the sources) and the compiled binary (`src/binary.ts`), which brings the
 * prebuilt board and the Postgres binaries and never allows the development login.
 */
import { serve, serviceContext, stopOnSignals } from '@syncro/kit/service';
import pkg from '../package.json';
import { startAll, type Assets, type StartAllOptions } from './index.ts';
import { backup, restore } from './backup.ts';
import { dataDirFrom } from './embedded.ts';
import { generateSigningKey, newClientSecret, rotateStoredKey } from '@syncro/auth';
import { settingsHelp } from './settings.ts';

type Env = Record<string, string | undefined>;

export interface CliOptions extends StartAllOptions {
  /** The compiled binary: no development login, whatever the environment says. */
  binary?: boolean;
  webAssets?: Assets;
}

const USAGE = `syncroboard ${pkg.version}: a realtime task board in one process

Usage: syncroboard [command] [--data DIR]

Commands:
  serve      run the board (default): prints its URL and, while it has no user, a one-time setup link
  migrate    create and migrate every role's database, then exit
  keys generate | public | rotate | client [ID]
             a new private signing key (for SIGNING_KEY); the public JWK of $SIGNING_KEY (for
             PREVIOUS_SIGNING_KEYS); rotate the key kept in the data folder (restart afterwards);
             a service credential (default ID realtime: the hubs of a scale-out deployment)
  backup F   write the stopped board's data folder (database and keys) to the tar.gz F
  restore F  unpack the backup F into a new data folder (--data), then serve it
  version    print the version
  help       this text

With no configuration everything runs embedded, with data in --data (default ~/.local/share/syncroboard).
Settings (environment variables):
`;

export function parseArgs(argv: string[]): { command: string; data?: string; file?: string; name?: string; error?: string } {
  let command: string | undefined;
  let data: string | undefined;
  let file: string | undefined;
  let name: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--data') {
      data = argv[++i];
      if (!data) return { command: 'serve', error: '--data needs a folder' };
    } else if (a.startsWith('--data=')) data = a.slice(7);
    else if (a === '--help' || a === '-h') command = 'help';
    else if (a === '--version' || a === '-v') command = 'version';
    else if (!a.startsWith('-') && command === undefined) command = a;
    else if (!a.startsWith('-') && (command === 'backup' || command === 'restore' || command === 'keys') && file === undefined) file = a;
    else if (!a.startsWith('-') && command === 'keys' && file === 'client' && name === undefined) name = a;
    else return { command: command ?? 'serve', error: `unknown argument ${a}` };
  }
  if ((command === 'backup' || command === 'restore') && !file) return { command, error: `${command} needs a file` };
  return { command: command ?? 'serve', ...(data ? { data } : {}), ...(file ? { file } : {}), ...(name ? { name } : {}) };
}

/** The signing-key chores of services/auth/src/keys/keys.cli.ts, with the data folder's key store. */
async function keys(what: string, env: Env, name = 'realtime'): Promise<string> {
  if (what === 'client') {
    if (!/^[a-z][a-z0-9-]{0,39}$/.test(name)) throw new Error('a client id is lowercase letters, digits and dashes, at most 40');
    // Only the hash goes to the auth instance; the secret to the service that signs in with it.
    const { secret, hash } = newClientSecret();
    return [
      `# the service instances (e.g. every realtime hub):`,
      `SERVICE_CLIENT_ID=${name}`,
      `SERVICE_CLIENT_SECRET=${secret}`,
      `# the auth instance (append to its comma-separated list):`,
      `SERVICE_CLIENTS=${name}:${hash}`,
    ].join('\n');
  }
  if (what === 'generate') return JSON.stringify(await generateSigningKey());
  if (what === 'public') {
    const { kty, crv, x, y, kid } = JSON.parse(env.SIGNING_KEY ?? '{}');
    if (!kid) throw new Error('set SIGNING_KEY to the private JWK whose public half you want');
    return JSON.stringify([{ kty, crv, x, y, kid, alg: 'ES256', use: 'sig' }]);
  }
  if (what === 'rotate') {
    const dir = env.AUTH_KEY_DIR ?? `${dataDirFrom(env)}/keys`;
    const ring = await rotateStoredKey(dir);
    return `rotated ${dir}: now signing with ${ring.current.kid}; ${ring.previous[0]?.kid} stays published. Restart syncroboard.`;
  }
  throw new Error('usage: syncroboard keys generate | public | rotate | client [ID]');
}

/**
 * A full collection when the heap has grown by 8 MiB since the last one, checked every 15 s: after
 * a burst of requests the garbage goes back rather than sitting in the idle process (measured: about
 * 12 MiB less resident after 200 creates and board reads). Under steady load it costs one full
 * collection per 15 s at most.
 */
function collectAfterBursts(everyMs = 15_000, growthBytes = 8 * 2 ** 20) {
  let after = process.memoryUsage().heapUsed;
  setInterval(() => {
    if (process.memoryUsage().heapUsed - after < growthBytes) return;
    Bun.gc(true);
    after = process.memoryUsage().heapUsed;
  }, everyMs).unref();
}

export async function runCli(argv: string[], opts: CliOptions = {}, source: Env = process.env): Promise<void> {
  const args = parseArgs(argv);
  if (args.error) {
    console.error(`${args.error}\n\n${USAGE}`);
    process.exit(2);
  }
  const env: Env = { ...source, ...(args.data ? { SYNCROBOARD_DATA: args.data } : {}) };
  if (opts.binary && env.AUTH_DEV_LOGIN && env.AUTH_DEV_LOGIN !== '0' && env.AUTH_DEV_LOGIN !== 'false') {
    console.error('AUTH_DEV_LOGIN is ignored: the development login is never on in the syncroboard binary');
  }
  if (opts.binary) delete env.AUTH_DEV_LOGIN;
  switch (args.command) {
    case 'help':
      console.log(USAGE + settingsHelp());
      return;
    case 'version':
      console.log(`syncroboard ${pkg.version} (bun ${Bun.version}, ${process.platform}-${process.arch})`);
      return;
    case 'keys':
      try {
        console.log(await keys(args.file ?? '', env, args.name));
        return;
      } catch (err) {
        console.error((err as Error).message);
        process.exit(2);
      }
    case 'backup':
    case 'restore':
      try {
        const dataDir = dataDirFrom(env);
        if (args.command === 'backup') await backup(dataDir, args.file!);
        else await restore(args.file!, dataDir);
        console.log(args.command === 'backup' ? `backed up ${dataDir} to ${args.file}` : `restored ${args.file} into ${dataDir}`);
        return;
      } catch (err) {
        console.error((err as Error).message);
        process.exit(1);
      }
    case 'migrate':
    case 'serve':
      break;
    default:
      console.error(`unknown command ${args.command}\n\n${USAGE}`);
      process.exit(2);
  }

  const ctx = serviceContext('syncroboard');
  try {
    const started = performance.now();
    // Since the process began: the binary's own load (module evaluation) before this line.
    const loadedMs = Math.round(started);
    const { config, services, embedded, local, timings } = await startAll(ctx, env, opts);
    if (args.command === 'migrate') {
      for (const s of services.toReversed()) await s.stop();
      console.log('migrated');
      process.exit(0);
    }
    const served = serve('syncroboard', config.PORT, services, ctx);
    stopOnSignals(served, ctx.logger);
    const url = env.PUBLIC_URL ?? `http://127.0.0.1:${served.port}/`;
    const parts = Object.entries(embedded.parts).filter(([, on]) => on).map(([p]) => p);
    ctx.logger.info('started', { loadMs: loadedMs, ...timings, totalMs: Math.round(performance.now()) });
    console.log(`SyncroBoard ${pkg.version} is ready at ${url} (${Math.round(performance.now() - started)} ms${parts.length ? `; embedded ${parts.join(', ')}, data in ${embedded.dataDir}` : ''})`);
    // Start-up garbage (migrations, module compilation) collected now rather than held while idle.
    setTimeout(() => Bun.gc(true), 2000).unref();
    collectAfterBursts();
    const link = await local.auth?.setup.issue();
    if (link) console.log(`No one has signed in yet. Open this one-time link to sign in as the owner:\n  ${link}`);
  } catch (err) {
    ctx.logger.error('syncroboard failed to start', { err });
    console.error((err as Error).message);
    process.exit(1);
  }
}
