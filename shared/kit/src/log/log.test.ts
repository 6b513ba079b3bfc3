/**
 * Logs never carry secrets: a real failed query (a unique violation on a column holding a token
 * hash, through Drizzle and postgres.js) is logged without its bound parameters, and fields named
 * like secrets are redacted at any depth, in error causes too.
 */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { createTestDatabase } from '@syncro/testing';
import { sql } from 'drizzle-orm';
import { pgTable, text } from 'drizzle-orm/pg-core';
import { drizzle } from 'drizzle-orm/postgres-js';
import postgres from 'postgres';
import { REDACTED, createLogger } from './index.ts';

const tokens = pgTable('log_test_tokens', { tokenHash: text('token_hash').notNull().unique(), prefix: text('prefix').notNull() });
const SECRET_HASH = `hash-${crypto.randomUUID()}`;
const SECRET_PREFIX = `sbp_${crypto.randomUUID().slice(0, 8)}`;

let database: Awaited<ReturnType<typeof createTestDatabase>>;
let client: postgres.Sql;
let failure: Error;

beforeAll(async () => {
  database = await createTestDatabase('log_test');
  client = postgres(database.url, { max: 1, onnotice: () => {} });
  const db = drizzle(client);
  await db.execute(sql`create table log_test_tokens (token_hash text not null unique, prefix text not null)`);
  await db.insert(tokens).values({ tokenHash: SECRET_HASH, prefix: SECRET_PREFIX });
  failure = await db
    .insert(tokens)
    .values({ tokenHash: SECRET_HASH, prefix: SECRET_PREFIX })
    .then(() => new Error('the duplicate insert succeeded'))
    .catch((err: Error) => err);
});
afterAll(async () => {
  await client?.end();
  await database?.drop();
});

const captured = () => {
  const lines: string[] = [];
  return { lines, logger: createLogger({ service: 'log-test' }, { sink: (l) => lines.push(l) }) };
};

describe('log lines carry no secrets', () => {
  test('a failed query keeps its SQL text but not its parameters, in the error and its cause', () => {
    expect(failure.constructor.name).toBe('DrizzleQueryError');
    expect(`${failure.message}${failure.stack}`).toContain(SECRET_HASH); // what would have been logged

    const { lines, logger } = captured();
    logger.error('unhandled error', { err: failure });
    const line = lines[0]!;
    expect(line).not.toContain(SECRET_HASH);
    expect(line).not.toContain(SECRET_PREFIX);
    const { err } = JSON.parse(line);
    expect(err.message).toContain('insert into "log_test_tokens"');
    expect(err).not.toHaveProperty('params');
    expect(err.cause).toMatchObject({ name: 'PostgresError', code: '23505', constraint_name: 'log_test_tokens_token_hash_key' });
    expect(err.cause.detail).toBe(`Key (token_hash)=(${REDACTED}) already exists.`);
  });

  test('fields named like secrets are redacted at any depth, inside arrays and error causes', () => {
    const { lines, logger } = captured();
    const wrapped = Object.assign(new Error('outer', { cause: Object.assign(new Error('inner'), { accessToken: 'jwt.secret.value' }) }), { signature: 'sig-value' });
    logger.child({ apiKey: 'key-value' }).error('request', {
      headers: { Authorization: 'Bearer bearer-value', cookie: 'sb_access=cookie-value', accept: 'application/json' },
      attempts: [{ password: 'pw-value', user: 'ada' }],
      refreshToken: 'sbr_refresh-value',
      tokenHash: 'hash-value',
      clientSecret: 'client-secret-value',
      err: wrapped,
    });
    const line = lines[0]!;
    for (const secret of ['jwt.secret.value', 'sig-value', 'key-value', 'bearer-value', 'cookie-value', 'pw-value', 'sbr_refresh-value', 'hash-value', 'client-secret-value']) {
      expect(line).not.toContain(secret);
    }
    const parsed = JSON.parse(line);
    expect(parsed).toMatchObject({ apiKey: REDACTED, refreshToken: REDACTED, headers: { Authorization: REDACTED, cookie: REDACTED, accept: 'application/json' }, attempts: [{ password: REDACTED, user: 'ada' }] });
    expect(parsed.err).toMatchObject({ message: 'outer', signature: REDACTED, cause: { message: 'inner', accessToken: REDACTED } });
  });

  test('cycles and deep nesting do not break a line', () => {
    const { lines, logger } = captured();
    const loop: Record<string, unknown> = { name: 'loop' };
    loop.self = loop;
    const err = new Error('a');
    (err as { cause?: unknown }).cause = err;
    logger.error('odd', { loop, err });
    expect(JSON.parse(lines[0]!)).toMatchObject({ loop: { name: 'loop', self: '[circular]' }, err: { message: 'a', cause: '[circular]' } });
  });
});
