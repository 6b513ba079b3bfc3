/**
 * @module The cache port in this process, for the one-process embedded default: strings and sorted
 * sets with expiry, and EVAL run by a real Lua 5.3 VM (fengari, plain JavaScript, so it travels in a
 * compiled binary) with `redis.call` over the same store. A script is atomic as on Redis: nothing
 * else runs in this process while it does. PUBLISH reaches the in-process pub/sub (`createMemoryPubSub`).
 *
 * The commands are those the services' scripts use (board cache fence, hot window, presence,
 * connection tickets): GET SET(EX|PX) DEL GETDEL EXPIRE PEXPIRE TTL ZADD ZREM ZCARD ZRANGE
 * ZRANGEBYSCORE(LIMIT) ZREMRANGEBYRANK ZREMRANGEBYSCORE PUBLISH. Any other is an error, as on Redis.
 */
// @ts-expect-error fengari ships no types
import { lauxlib, lua, lualib, to_jsstring, to_luastring } from 'fengari';
import type { Cache } from './port.ts';

type Entry = { kind: 'string'; value: string; expiresAt: number } | { kind: 'zset'; members: Map<string, number>; expiresAt: number };

export interface MemoryPubSub {
  /** Delivers to every listener of `channel`; answers how many there were (Redis' PUBLISH reply). */
  publish(channel: string, message: string): number;
  /** Listens until `unsubscribe`; one listener per channel and subscriber (as one Redis connection). */
  subscribe(channel: string, listener: (message: string) => void): () => void;
}

/** Channels of this process: the hub's rooms listen here, the cache's PUBLISH writes here. */
export function createMemoryPubSub(): MemoryPubSub {
  const channels = new Map<string, Set<(message: string) => void>>();
  return {
    publish(channel, message) {
      const listeners = channels.get(channel);
      if (!listeners) return 0;
      // After the publisher's turn, as a message from Redis arrives: a listener never runs inside a script.
      for (const l of listeners) queueMicrotask(() => l(message));
      return listeners.size;
    },
    subscribe(channel, listener) {
      const set = channels.get(channel) ?? channels.set(channel, new Set()).get(channel)!;
      set.add(listener);
      return () => {
        set.delete(listener);
        if (set.size === 0) channels.delete(channel);
      };
    },
  };
}

class CommandError extends Error {}

const score = (s: string, what = 'min or max'): { v: number; open: boolean } => {
  const open = s.startsWith('(');
  const t = open ? s.slice(1) : s;
  const v = t === '+inf' || t === 'inf' ? Infinity : t === '-inf' ? -Infinity : Number(t);
  if (Number.isNaN(v) || t === '') throw new CommandError(`ERR ${what} is not a float`);
  return { v, open };
};

const int = (s: string) => {
  if (!/^-?\d+$/.test(s)) throw new CommandError('ERR value is not an integer or out of range');
  return Number(s);
};

export function createMemoryCache(opts: { pubsub?: MemoryPubSub } = {}): Cache & { pubsub: MemoryPubSub } {
  const pubsub = opts.pubsub ?? createMemoryPubSub();
  const store = new Map<string, Entry>();
  let closed = false;

  const live = (key: string): Entry | undefined => {
    const e = store.get(key);
    if (e && e.expiresAt <= Date.now()) {
      store.delete(key);
      return undefined;
    }
    return e;
  };
  const zset = (key: string, create = false) => {
    const e = live(key);
    if (e && e.kind !== 'zset') throw new CommandError('WRONGTYPE Operation against a key holding the wrong kind of value');
    if (e) return e;
    if (!create) return undefined;
    const fresh: Entry = { kind: 'zset', members: new Map(), expiresAt: Infinity };
    store.set(key, fresh);
    return fresh;
  };
  const sorted = (z: Extract<Entry, { kind: 'zset' }>) => [...z.members].sort((a, b) => a[1] - b[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  const inRange = (v: number, min: ReturnType<typeof score>, max: ReturnType<typeof score>) =>
    (min.open ? v > min.v : v >= min.v) && (max.open ? v < max.v : v <= max.v);
  const rankRange = (n: number, start: number, stop: number) => {
    const s = Math.max(start < 0 ? n + start : start, 0);
    const e = Math.min(stop < 0 ? n + stop : stop, n - 1);
    return [s, e] as const;
  };
  const dropIfEmpty = (key: string, z: Extract<Entry, { kind: 'zset' }>) => z.members.size === 0 && store.delete(key);

  /** Redis replies: string, number (integer), null (nil), an array of them. */
  const call = (argv: string[]): unknown => {
    const [name = '', ...a] = argv;
    switch (name.toUpperCase()) {
      case 'GET': {
        const e = live(a[0]!);
        if (e && e.kind !== 'string') throw new CommandError('WRONGTYPE Operation against a key holding the wrong kind of value');
        return e ? e.value : null;
      }
      case 'GETDEL': {
        const v = call(['GET', a[0]!]);
        store.delete(a[0]!);
        return v;
      }
      case 'SET': {
        let expiresAt = Infinity;
        for (let i = 2; i < a.length; i++) {
          const opt = a[i]!.toUpperCase();
          if (opt === 'EX') expiresAt = Date.now() + int(a[++i]!) * 1000;
          else if (opt === 'PX') expiresAt = Date.now() + int(a[++i]!);
          else throw new CommandError(`ERR syntax error (SET option ${opt})`);
        }
        store.set(a[0]!, { kind: 'string', value: a[1]!, expiresAt });
        return 'OK';
      }
      case 'DEL':
        return a.filter((k) => live(k) !== undefined && store.delete(k)).length;
      case 'EXPIRE':
      case 'PEXPIRE': {
        const e = live(a[0]!);
        if (!e) return 0;
        e.expiresAt = Date.now() + int(a[1]!) * (name.toUpperCase() === 'EXPIRE' ? 1000 : 1);
        return 1;
      }
      case 'TTL': {
        // Redis: -2 no key, -1 no expiry, else whole seconds left.
        const e = live(a[0]!);
        if (!e) return -2;
        return e.expiresAt === Infinity ? -1 : Math.ceil((e.expiresAt - Date.now()) / 1000);
      }
      case 'ZADD': {
        const z = zset(a[0]!, true)!;
        let added = 0;
        for (let i = 1; i + 1 < a.length; i += 2) {
          if (!z.members.has(a[i + 1]!)) added++;
          z.members.set(a[i + 1]!, score(a[i]!, 'score').v);
        }
        return added;
      }
      case 'ZREM': {
        const z = zset(a[0]!);
        if (!z) return 0;
        const n = a.slice(1).filter((m) => z.members.delete(m)).length;
        dropIfEmpty(a[0]!, z);
        return n;
      }
      case 'ZCARD':
        return zset(a[0]!)?.members.size ?? 0;
      case 'ZRANGE': {
        const z = zset(a[0]!);
        if (!z) return [];
        const all = sorted(z);
        const [s, e] = rankRange(all.length, int(a[1]!), int(a[2]!));
        return all.slice(s, e + 1).map(([m]) => m);
      }
      case 'ZRANGEBYSCORE': {
        const z = zset(a[0]!);
        if (!z) return [];
        const [min, max] = [score(a[1]!), score(a[2]!)];
        let out = sorted(z).filter(([, v]) => inRange(v, min, max)).map(([m]) => m);
        if (a[3]?.toUpperCase() === 'LIMIT') {
          const [offset, count] = [int(a[4]!), int(a[5]!)];
          out = out.slice(offset, count < 0 ? undefined : offset + count);
        }
        return out;
      }
      case 'ZREMRANGEBYRANK': {
        const z = zset(a[0]!);
        if (!z) return 0;
        const all = sorted(z);
        const [s, e] = rankRange(all.length, int(a[1]!), int(a[2]!));
        const gone = all.slice(s, e + 1);
        for (const [m] of gone) z.members.delete(m);
        dropIfEmpty(a[0]!, z);
        return gone.length;
      }
      case 'ZREMRANGEBYSCORE': {
        const z = zset(a[0]!);
        if (!z) return 0;
        const [min, max] = [score(a[1]!), score(a[2]!)];
        const gone = [...z.members].filter(([, v]) => inRange(v, min, max));
        for (const [m] of gone) z.members.delete(m);
        dropIfEmpty(a[0]!, z);
        return gone.length;
      }
      case 'PUBLISH':
        return pubsub.publish(a[0]!, a[1]!);
      default:
        throw new CommandError(`ERR unknown command '${name}'`);
    }
  };

  // One VM for the cache's life: scripts are compiled once each (by text), as Redis caches them.
  const L = lauxlib.luaL_newstate();
  lualib.luaL_openlibs(L);
  const push = (v: unknown) => {
    if (v === null || v === undefined) lua.lua_pushboolean(L, false); // nil reply → false, as on Redis
    else if (typeof v === 'number') lua.lua_pushinteger(L, v);
    else if (Array.isArray(v)) {
      lua.lua_createtable(L, v.length, 0);
      v.forEach((x, i) => {
        push(x);
        lua.lua_rawseti(L, -2, i + 1);
      });
    } else lua.lua_pushstring(L, to_luastring(String(v)));
  };
  const redisCall = (state: unknown) => {
    const n = lua.lua_gettop(state);
    const args: string[] = [];
    for (let i = 1; i <= n; i++) {
      if (lua.lua_isinteger(state, i)) args.push(String(lua.lua_tointeger(state, i)));
      else if (lua.lua_type(state, i) === lua.LUA_TNUMBER) args.push(String(lua.lua_tonumber(state, i)));
      else if (lua.lua_type(state, i) === lua.LUA_TSTRING) args.push(to_jsstring(lua.lua_tostring(state, i)));
      else return lauxlib.luaL_error(state, to_luastring('Lua redis() command arguments must be strings or integers'));
    }
    let reply: unknown;
    try {
      reply = call(args);
    } catch (err) {
      return lauxlib.luaL_error(state, to_luastring((err as Error).message));
    }
    push(reply);
    return 1;
  };
  lua.lua_createtable(L, 0, 1);
  lua.lua_pushjsfunction(L, redisCall);
  lua.lua_setfield(L, -2, to_luastring('call'));
  lua.lua_setglobal(L, to_luastring('redis'));
  const compiled = new Map<string, number>();

  const setArray = (name: string, values: string[]) => {
    lua.lua_createtable(L, values.length, 0);
    values.forEach((v, i) => {
      lua.lua_pushstring(L, to_luastring(v));
      lua.lua_rawseti(L, -2, i + 1);
    });
    lua.lua_setglobal(L, to_luastring(name));
  };
  /** The value on top of the stack as Redis converts a script's result. */
  const pop = (): unknown => {
    const t = lua.lua_type(L, -1);
    let out: unknown = null;
    if (t === lua.LUA_TNUMBER) out = Math.trunc(lua.lua_tonumber(L, -1));
    else if (t === lua.LUA_TSTRING) out = to_jsstring(lua.lua_tostring(L, -1));
    else if (t === lua.LUA_TBOOLEAN) out = lua.lua_toboolean(L, -1) ? 1 : null;
    else if (t === lua.LUA_TTABLE) {
      const arr: unknown[] = [];
      for (let i = 1; ; i++) {
        lua.lua_rawgeti(L, -1, i);
        if (lua.lua_type(L, -1) === lua.LUA_TNIL) {
          lua.lua_pop(L, 1);
          break;
        }
        arr.push(pop());
      }
      out = arr;
    }
    lua.lua_pop(L, 1);
    return out;
  };

  const evalSync = (script: string, keys: string[], args: string[]): unknown => {
    let ref = compiled.get(script);
    if (ref === undefined) {
      if (lauxlib.luaL_loadstring(L, to_luastring(script)) !== lua.LUA_OK) {
        const msg = to_jsstring(lua.lua_tostring(L, -1));
        lua.lua_pop(L, 1);
        throw new Error(`ERR Error compiling script: ${msg}`);
      }
      ref = lauxlib.luaL_ref(L, lua.LUA_REGISTRYINDEX) as number;
      compiled.set(script, ref);
    }
    setArray('KEYS', keys);
    setArray('ARGV', args);
    lua.lua_rawgeti(L, lua.LUA_REGISTRYINDEX, ref);
    if (lua.lua_pcall(L, 0, 1, 0) !== lua.LUA_OK) {
      const msg = to_jsstring(lua.lua_tostring(L, -1));
      lua.lua_pop(L, 1);
      throw new Error(`ERR Error running script: ${msg}`);
    }
    return pop();
  };

  const open = () => {
    if (closed) throw new Error('cache is closed');
  };
  // Expired keys nobody reads again are swept now and then.
  const sweeper = setInterval(() => {
    for (const k of store.keys()) live(k);
  }, 60_000);
  sweeper.unref?.();

  return {
    pubsub,
    async get(key) {
      open();
      return call(['GET', key]) as string | null;
    },
    async set(key, value, ttlSeconds) {
      open();
      call(['SET', key, value, 'EX', String(ttlSeconds)]);
    },
    async del(...keys) {
      open();
      if (keys.length) call(['DEL', ...keys]);
    },
    async eval(script, keys, args) {
      open();
      return evalSync(script, keys, args);
    },
    async ping() {
      open();
    },
    close() {
      closed = true;
      clearInterval(sweeper);
      store.clear();
    },
  };
}
