/**
 * `/openapi` documents what each auth route answers, per status (issue 9.5), and the real answers
 * match those schemas.
 */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import * as v from 'valibot';
import { startAuth, type Auth } from '@syncro/auth/harness';
import { CreatedPatBody, DevLoginBody, PatListBody, SessionBody, TokenExchangeBody, UserBody } from './responses.schema.ts';

let auth: Auth;
let doc: any;
beforeAll(async () => {
  auth = await startAuth({ AUTH_DEV_LOGIN: '1' });
  doc = (await auth.api().get('/openapi')).body;
});
afterAll(() => auth?.stop());

const documented = (path: string, method: string, status: number) => doc.paths[path]?.[method]?.responses?.[String(status)]?.content?.['application/json']?.schema;

describe('/openapi', () => {
  test.each([
    ['/auth/me', 'get', 200, ['id', 'email', 'name', 'picture', 'locale', 'createdAt']],
    ['/auth/token', 'post', 200, ['accessToken', 'tokenType', 'expiresIn']],
    ['/auth/tokens', 'post', 201, ['id', 'name', 'prefix', 'token']],
    ['/auth/tokens', 'get', 200, ['tokens']],
    ['/auth/tokens/{id}', 'delete', 200, ['id', 'revokedAt']],
    ['/auth/refresh', 'post', 200, ['accessToken', 'tokenType', 'expiresIn']],
    ['/auth/dev/login', 'post', 200, ['user', 'created', 'accessToken']],
    ['/auth/providers', 'get', 200, ['providers', 'devLogin']],
    ['/auth/users/lookup', 'get', 200, ['id', 'name', 'email']],
    ['/auth/users', 'get', 200, ['users']],
  ] as const)('%s %s documents its %d body', (path, method, status, fields) => {
    const schema = documented(path, method, status);
    expect(schema?.type).toBe('object');
    expect(Object.keys(schema.properties)).toEqual(expect.arrayContaining([...fields]));
  });

  test.each([
    ['/auth/me', 'get', [401]],
    ['/auth/token', 'post', [401, 422, 429]],
    ['/auth/users/lookup', 'get', [400, 401, 404, 429]],
    ['/auth/users', 'get', [400, 401]],
    ['/auth/tokens', 'post', [401, 403, 422]],
    ['/auth/tokens/{id}', 'delete', [400, 401, 404]],
    ['/auth/refresh', 'post', [401, 403, 422]],
    ['/auth/logout', 'post', [403]],
  ] as const)('%s %s documents the error model for %p', (path, method, statuses) => {
    for (const status of statuses) expect(documented(path, method, status)?.properties?.error?.required).toEqual(['code', 'message']);
  });
});

describe('the answers match the documented schemas', () => {
  test('dev login, me, refresh, PAT create, list, exchange', async () => {
    const login = await auth.api().post('/auth/dev/login', { email: `doc.${crypto.randomUUID().slice(0, 8)}@example.test` });
    expect(v.safeParse(DevLoginBody, login.body).issues).toBeUndefined();
    const api = auth.api(login.body.accessToken);
    expect(v.safeParse(UserBody, (await api.get('/auth/me')).body).issues).toBeUndefined();
    expect(v.safeParse(SessionBody, (await auth.api().post('/auth/refresh', { refreshToken: login.body.refreshToken })).body).issues).toBeUndefined();
    const created = await api.post('/auth/tokens', { name: 'doc', expiresInDays: 2 });
    expect(v.safeParse(CreatedPatBody, created.body).issues).toBeUndefined();
    expect(v.safeParse(PatListBody, (await api.get('/auth/tokens')).body).issues).toBeUndefined();
    expect(v.safeParse(TokenExchangeBody, (await auth.api().post('/auth/token', { token: created.body.token })).body).issues).toBeUndefined();
  });
});
