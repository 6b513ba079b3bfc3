/**
 * @module compose.yaml's scale-out topology, natively: one all-in-one process (from the sources) per
 * role instance of compose.yaml, with that instance's SERVICES, on the machine's Postgres, Kafka and
 * Redis; and Debian's caddy running deploy/Caddyfile in front, its upstream placeholders pointed at
 * those processes instead of the compose host names. Nothing here names a role instance: they come
 * from compose.yaml, the routes from the Caddyfile.
 */
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { freePorts } from '@syncro/testing/ports';
import { startProcess, type Started } from './binary.ts';
import { readCompose, roleInstances } from '../../../infra/check-compose.ts';
import { CADDYFILE, readCaddyfile } from '../../../infra/check-compose.proxy.ts';

const ROOT = resolve(import.meta.dir, '../../..');
const MAIN = resolve(import.meta.dir, '../src/main.ts');

const run = async (cmd: string[]) => {
  const p = Bun.spawn(cmd, { stdout: 'pipe', stderr: 'pipe', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
  const [code, err] = await Promise.all([p.exited, new Response(p.stderr).text()]);
  return { code, err };
};

/**
 * The caddy on PATH; as root on Debian/Ubuntu, installed first when missing. Anything else fails
 * with what to install: this test is about the real proxy, so it never runs without one.
 */
export async function caddyBinary(): Promise<string> {
  const found = Bun.which('caddy');
  if (found) return found;
  let why = 'not root, or no apt-get';
  if (process.getuid?.() === 0 && Bun.which('apt-get')) {
    const install = ['apt-get', 'install', '-y', '-q', '--no-install-recommends', 'caddy'];
    let r = await run(install);
    if (r.code !== 0) r = (await run(['apt-get', 'update', '-q'])).code === 0 ? await run(install) : r;
    if (r.code === 0 && Bun.which('caddy')) return Bun.which('caddy')!;
    why = `apt-get install caddy failed: ${r.err.trim().split('\n').slice(-2).join(' ')}`;
  }
  throw new Error(`the scale-out test needs the real proxy, Caddy (${why}): run \`apt-get install --no-install-recommends caddy\` as root (Debian/Ubuntu), or put caddy 2.6+ on PATH`);
}

export interface Instance {
  name: string;
  roles: string[];
  /** Where this process listens on its own (the proxy's upstream; /metrics and /health directly). */
  url: string;
  started: Started;
}

export interface ScaleOut {
  /** The proxy: the one origin the browser sees. */
  origin: string;
  instances: Instance[];
  /** The one-time link the auth instance printed (its PUBLIC_URL is the proxy's origin). */
  setupLink: string;
  stop(): Promise<void>;
}

/**
 * Starts every role instance of compose.yaml and the proxy. `env` is what every instance gets on top
 * (the test's databases, consumer groups and topic namespace); the rest mirrors compose.yaml's
 * `x-env` with 127.0.0.1 and free ports for the compose host names.
 */
export async function startScaleOut(dir: string, env: Record<string, string>): Promise<ScaleOut> {
  const caddy = await caddyBinary();
  const specs = roleInstances(readCompose());
  const [proxyPort, ...ports] = freePorts(specs.length + 1);
  const origin = `http://127.0.0.1:${proxyPort}`;
  const urlOf = new Map(specs.map((s, i) => [s.name, `http://127.0.0.1:${ports[i]}`]));
  const runs = (role: string) => urlOf.get(specs.find((s) => s.roles.includes(role))!.name)!;
  // The hubs' service client, configured on both sides as an operator would (the processes are apart).
  const secret = `sbs_${Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString('base64url')}`;
  const hash = new Bun.CryptoHasher('sha256').update(secret).digest('hex');

  const instances: Instance[] = [];
  let proxy: ReturnType<typeof Bun.spawn> | undefined;
  const stop = async () => {
    proxy?.kill('SIGTERM');
    await proxy?.exited;
    await Promise.all(instances.map((i) => i.started.stop()));
  };
  try {
    // Together (each loads every package first); whatever started is stopped if another fails.
    const started = await Promise.allSettled(
      specs.map((spec, i) =>
        startProcess([process.execPath, MAIN], {
          PATH: process.env.PATH!,
          HOME: process.env.HOME ?? dir,
          ...env,
          SERVICES: spec.roles.join(','),
          PORT: String(ports[i]),
          HOST: '127.0.0.1',
          SYNCROBOARD_DATA: join(dir, spec.name),
          PUBLIC_URL: origin,
          APP_URL: `${origin}/`,
          AUTH_ISSUER: origin,
          JWKS_URL: `${runs('auth')}/.well-known/jwks.json`,
          AUTH_URL: runs('auth'),
          TICKETS_URL: runs('tickets'),
          TRUST_PROXY: '1',
          AUTH_KEY_DIR: join(dir, 'keys'),
          ...(spec.roles.includes('auth') ? { SERVICE_CLIENTS: `realtime:${hash}` } : {}),
          ...(spec.roles.includes('realtime') ? { SERVICE_CLIENT_ID: 'realtime', SERVICE_CLIENT_SECRET: secret } : {}),
          // Six load every package at once on a shared 2-core machine: a generous budget.
        }, ROOT, { name: spec.name, timeoutMs: 120_000 }),
      ),
    );
    started.forEach((r, i) => r.status === 'fulfilled' && instances.push({ name: specs[i]!.name, roles: specs[i]!.roles, url: urlOf.get(specs[i]!.name)!, started: r.value }));
    const failed = started.find((r) => r.status === 'rejected');
    if (failed) throw failed.reason;

    // The same Caddyfile as compose: only its placeholders differ (free ports, no admin API, loopback).
    mkdirSync(join(dir, 'caddy'), { recursive: true });
    const upstreams = Object.fromEntries(readCaddyfile().flatMap((r) => r.upstreams).map((u) => [u.variable, urlOf.get(u.host)!.replace('http://', '')]));
    proxy = Bun.spawn([caddy, 'run', '--config', CADDYFILE, '--adapter', 'caddyfile'], {
      env: { PATH: process.env.PATH!, HOME: join(dir, 'caddy'), XDG_DATA_HOME: join(dir, 'caddy'), XDG_CONFIG_HOME: join(dir, 'caddy'), SITE_ADDRESS: `:${proxyPort}`, PROXY_BIND: '127.0.0.1', CADDY_ADMIN: 'off', ...upstreams },
      stdout: 'ignore',
      stderr: 'pipe',
    });
    let proxyLog = '';
    void (async () => {
      for await (const chunk of proxy.stderr as ReadableStream<Uint8Array>) proxyLog += new TextDecoder().decode(chunk);
    })();
    for (let i = 0; ; i++) {
      if ((await fetch(`${origin}/health`).then((r) => r.status, () => 0)) === 200) break;
      if (i > 100 || proxy.exitCode !== null) throw new Error(`caddy did not serve ${origin}:\n${proxyLog.slice(-3000)}`);
      await Bun.sleep(100);
    }
    // Printed after the ready line once auth has found no user: on a loaded machine, seconds later.
    const auth = instances.find((i) => i.roles.includes('auth'))!;
    let setupLink: string | undefined;
    for (let i = 0; !(setupLink = auth.started.output().match(/(http\S+\/auth\/setup\/\S+)/)?.[1]); i++) {
      if (i > 300) throw new Error(`the auth instance printed no setup link:\n${auth.started.output()}`);
      await Bun.sleep(100);
    }
    return { origin, instances, setupLink, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}
